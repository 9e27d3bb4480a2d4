// A fake HttpClient that records every request and answers from a queue of
// canned responses, or with an empty "<ActionResponse/>" when the queue is
// empty. Tests read the record (method, URL, headers, decoded form body).
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "cloud/aws/ec2_query.h"
#include "util/http_client.h"

namespace spotrun::test {

class RecordingHttpClient : public HttpClient {
 public:
  void Respond(int status, std::string body) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    queue_.push_back(std::move(response));
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    requests.push_back(request);
    if (!queue_.empty()) {
      HttpResponse response = std::move(queue_.front());
      queue_.pop_front();
      return response;
    }
    HttpResponse response;
    response.status = 200;
    response.body = "<" + Param(requests.size() - 1, "Action") + "Response/>";
    return response;
  }

  std::vector<std::pair<std::string, std::string>> Params(size_t i) const {
    return aws::DecodeForm(requests.at(i).body);
  }
  // The value of form key `key` in request i, or "" when absent.
  std::string Param(size_t i, const std::string& key) const {
    for (const auto& [k, v] : Params(i)) {
      if (k == key) return v;
    }
    return "";
  }
  std::string Header(size_t i, const std::string& name) const {
    for (const auto& [k, v] : requests.at(i).headers) {
      if (k == name) return v;
    }
    return "";
  }

  std::vector<HttpRequest> requests;

 private:
  std::deque<HttpResponse> queue_;
};

}  // namespace spotrun::test
