// A small HTTP/1.1 server on 127.0.0.1 for loopback endpoints (the local
// cloud's IMDS, test servers), on cpp-httplib: connections are read on a pool
// of threads, so idle or slow clients hold no one else back; the handler is
// called for one request at a time (it needs no locking of its own). Not for
// untrusted networks: it binds loopback only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "util/status.h"

namespace httplib {
class Server;
}

namespace spotrun {

struct HttpRequest {
  std::string method;
  std::string path;  // Without the query string.
  std::string query;
  std::map<std::string, std::string> headers;  // Keys lower-cased.
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  std::map<std::string, std::string> headers;  // Extra headers (Set-Cookie, ...).
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class LoopbackHttpServer {
 public:
  LoopbackHttpServer();
  ~LoopbackHttpServer();
  // Binds 127.0.0.1:`port` (0 = any free port) and listens.
  Status Listen(int port = 0);
  int port() const { return port_; }
  // Serves requests until `keep_going` returns false (asked on this thread
  // every `poll_ms`).
  void Serve(const HttpHandler& handler, const std::function<bool()>& keep_going,
             int poll_ms = 500);

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
};

}  // namespace spotrun
