// FaultyHttpClient: an HttpClient wrapper that replaces the next N calls with
// injected faults (canned responses, dropped connections) and passes every
// other call to the wrapped client. Used by tests and fault drills; canned
// AWS error bodies (throttling, 5xx) are built in cloud/aws/aws_faults.h.
#pragma once

#include <deque>
#include <mutex>
#include <string>

#include "util/http_client.h"

namespace spotrun {

struct HttpFault {
  enum class Kind {
    kResponse,        // Answer `response` without contacting the server.
    kDropBeforeSend,  // The connection drops before the request leaves.
    kDropAfterSend,   // The server gets the request; its answer is lost.
  };
  Kind kind = Kind::kResponse;
  HttpResponse response;  // kResponse only.

  static HttpFault Respond(int status, std::string body, std::string content_type = "text/xml");
  static HttpFault DropBeforeSend();
  static HttpFault DropAfterSend();
};

class FaultyHttpClient : public HttpClient {
 public:
  // `base` must outlive this wrapper; it is not owned.
  explicit FaultyHttpClient(HttpClient* base) : base_(base) {}

  // Queues `n` copies of `fault` after the faults already queued; each call to
  // Send takes one from the front until the queue is empty.
  void FailNext(int n, const HttpFault& fault);
  // Drops the queued faults that have not fired yet.
  void Clear();

  // Calls made to Send, faulted or not.
  int calls() const;
  // Faults that have fired.
  int injected() const;
  // Faults still queued.
  int pending() const;

  // A dropped connection fails with kUnavailable, like CurlHttpClient.
  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  HttpClient* base_;
  mutable std::mutex mu_;
  std::deque<HttpFault> queue_;
  int calls_ = 0;
  int injected_ = 0;
};

}  // namespace spotrun
