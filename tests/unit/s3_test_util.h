// Helpers for the S3 tests: a scripted fake HttpClient, a pass-through
// wrapper that records what went to a real server, and S3's error XML.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "cloud/aws/digest.h"
#include "util/encoding.h"
#include "util/http_client.h"

namespace spotrun::test {

// Answers each request with `answer` (200 and an empty body when unset) and
// records every request.
class ScriptedHttpClient : public HttpClient {
 public:
  std::function<Result<HttpResponse>(const HttpRequest&)> answer;
  std::vector<HttpRequest> requests;

  Result<HttpResponse> Send(const HttpRequest& request) override {
    requests.push_back(request);
    if (answer) return answer(request);
    HttpResponse ok;
    ok.status = 200;
    return ok;
  }
};

// The first value of header `name` (exact case-insensitive match), or "".
inline std::string HeaderOf(const HttpRequest& request, std::string_view name) {
  HttpResponse view;
  view.headers = request.headers;
  return view.Header(name);
}

// Passes every request to `base` and records "METHOD path?query (N bytes)"
// lines, the path relative to the endpoint.
class TracingHttpClient : public HttpClient {
 public:
  explicit TracingHttpClient(HttpClient* base) : base_(base) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      size_t path = request.url.find('/', request.url.find("://") + 3);
      log_.push_back(request.method + " " + request.url.substr(path) + " (" +
                     std::to_string(request.body.size()) + " bytes)");
    }
    return base_->Send(request);
  }
  std::vector<std::string> log() const {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    log_.clear();
  }

 private:
  HttpClient* base_;
  mutable std::mutex mu_;
  std::vector<std::string> log_;
};

// Calls `before` with each request, then passes it to `base`: lets a test
// arm a FaultyHttpClient for one particular request.
class HookedHttpClient : public HttpClient {
 public:
  HookedHttpClient(HttpClient* base, std::function<void(const HttpRequest&)> before)
      : base_(base), before_(std::move(before)) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    before_(request);
    return base_->Send(request);
  }

 private:
  HttpClient* base_;
  std::function<void(const HttpRequest&)> before_;
};

inline HttpResponse S3Answer(int status, std::string body = "", HttpHeaders headers = {}) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

inline HttpResponse S3ErrorAnswer(int status, const std::string& code,
                                  const std::string& message = "message") {
  return S3Answer(status,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
                      "</Code><Message>" + message +
                      "</Message><RequestId>req-1</RequestId></Error>",
                  {{"Content-Type", "application/xml"}});
}

inline std::string Md5Hex(std::string_view data) { return HexEncode(aws::Digest::Md5(data)); }

}  // namespace spotrun::test
