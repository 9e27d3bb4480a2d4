#include "util/http_client.h"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "util/task_loop.h"

namespace spotrun {
namespace {

struct Exchange {
  HttpResponse response;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<Exchange*>(user)->response.body.append(data, size * count);
  return size * count;
}

// Collects header lines; a new status line (after a 100 Continue or a proxy
// CONNECT) starts the header list over.
size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    exchange->response.headers.clear();
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    exchange->response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * count;
}

bool IsLoopbackUrl(std::string_view url) {
  size_t start = url.find("://");
  if (start == std::string_view::npos) return false;
  std::string_view rest = url.substr(start + 3);
  for (std::string_view host : {"127.", "localhost", "[::1]"}) {
    if (rest.rfind(host, 0) == 0) return true;
  }
  return false;
}

Status CurlFailure(CURLcode code, const char* detail, const HttpRequest& request) {
  std::string message = request.method + " " + UrlWithoutQuery(request.url) + ": " +
                        (detail[0] != '\0' ? detail : curl_easy_strerror(code));
  if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
    return InvalidArgument(message);
  }
  return Unavailable(message);
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return "";
}

std::string UrlWithoutQuery(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

CurlHttpClient::CurlHttpClient() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<HttpResponse> CurlHttpClient::Send(const HttpRequest& request) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Internal("curl_easy_init failed");
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& [name, value] : request.headers) {
    std::string line = name + ": " + value;
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  }
  // Without this, curl waits for "100 Continue" before sending bodies over 1 KiB.
  headers.reset(curl_slist_append(headers.release(), "Expect:"));

  Exchange exchange;
  char error[CURL_ERROR_SIZE] = {0};
  long timeout_ms = std::max(1L, long(request.timeout_s * 1000));
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 10'000L));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &exchange);
  if (IsLoopbackUrl(request.url)) curl_easy_setopt(c, CURLOPT_PROXY, "");
  if (request.method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
  }
  // In a task of the controller's loop the exchange runs on the loop's
  // thread pool and only this task waits for it.
  CURLcode code = CURLE_OK;
  if (TaskLoop* loop = TaskLoop::Current()) {
    loop->Offload([&] { code = curl_easy_perform(c); });
  } else {
    code = curl_easy_perform(c);
  }
  if (code != CURLE_OK) return CurlFailure(code, error, request);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  exchange.response.status = int(status);
  return std::move(exchange.response);
}

}  // namespace spotrun
