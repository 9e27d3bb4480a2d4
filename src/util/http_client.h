// HttpClient: the seam around HTTP requests. Abstract so that tests can record
// requests and inject faults (FaultyHttpClient in util/faulty_http_client.h);
// CurlHttpClient is the implementation for real use.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace spotrun {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";  // "GET", "POST", "PUT", "DELETE", ...
  std::string url;             // "https://host[:port]/path?query"
  HttpHeaders headers;         // Sent in this order; a "Host" entry replaces the default.
  std::string body;            // Sent when non-empty, or when method is POST/PUT.
  double timeout_s = 30;       // Whole exchange, connect included.
};

struct HttpResponse {
  int status = 0;       // HTTP status code.
  HttpHeaders headers;  // As received, names in their original case.
  std::string body;

  // The first value of header `name` (compared case-insensitively), or "".
  std::string Header(std::string_view name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends `request` and waits for the whole response. Every HTTP status,
  // 4xx and 5xx included, is a response. Fails with kUnavailable when the
  // connection cannot be made, is dropped, or the timeout expires, and with
  // kInvalidArgument when the URL is malformed. Error messages name the method
  // and the URL without its query string (which may carry signatures).
  // Implementations are safe to call from several threads at once.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// libcurl-backed client. Redirects are not followed. Proxies come from the
// usual environment variables (HTTPS_PROXY, NO_PROXY), except that loopback
// hosts are always reached directly.
class CurlHttpClient : public HttpClient {
 public:
  CurlHttpClient();
  Result<HttpResponse> Send(const HttpRequest& request) override;
};

// "scheme://host[:port]/path" of `url`: the query string and fragment removed.
std::string UrlWithoutQuery(std::string_view url);

}  // namespace spotrun
