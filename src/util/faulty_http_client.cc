#include "util/faulty_http_client.h"

#include <optional>
#include <utility>

namespace spotrun {

HttpFault HttpFault::Respond(int status, std::string body, std::string content_type) {
  HttpFault fault;
  fault.kind = Kind::kResponse;
  fault.response.status = status;
  fault.response.headers = {{"Content-Type", std::move(content_type)}};
  fault.response.body = std::move(body);
  return fault;
}

HttpFault HttpFault::DropBeforeSend() {
  HttpFault fault;
  fault.kind = Kind::kDropBeforeSend;
  return fault;
}

HttpFault HttpFault::DropAfterSend() {
  HttpFault fault;
  fault.kind = Kind::kDropAfterSend;
  return fault;
}

void FaultyHttpClient::FailNext(int n, const HttpFault& fault) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int i = 0; i < n; ++i) queue_.push_back(fault);
}

void FaultyHttpClient::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.clear();
}

int FaultyHttpClient::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

int FaultyHttpClient::injected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return injected_;
}

int FaultyHttpClient::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return int(queue_.size());
}

Result<HttpResponse> FaultyHttpClient::Send(const HttpRequest& request) {
  std::optional<HttpFault> fault;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    if (!queue_.empty()) {
      fault = std::move(queue_.front());
      queue_.pop_front();
      ++injected_;
    }
  }
  if (!fault) return base_->Send(request);
  std::string where = request.method + " " + UrlWithoutQuery(request.url);
  switch (fault->kind) {
    case HttpFault::Kind::kResponse:
      return fault->response;
    case HttpFault::Kind::kDropBeforeSend:
      return Unavailable(where + ": connection dropped (injected)");
    case HttpFault::Kind::kDropAfterSend:
      (void)base_->Send(request);  // The answer is lost either way.
      return Unavailable(where + ": connection dropped after send (injected)");
  }
  return Internal("unknown fault kind");
}

}  // namespace spotrun
