#include "util/http_server.h"

#include <httplib.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "util/ascii.h"

namespace spotrun {
namespace {

// Connections served at once: more than a job's agent and tools ever open.
constexpr size_t kThreads = 32;
// A client that sends nothing for this long is dropped.
constexpr int kReadTimeoutS = 5;

HttpRequest FromHttplib(const httplib::Request& r) {
  HttpRequest req;
  req.method = r.method;
  req.path = r.path;
  const size_t q = r.target.find('?');
  req.query = q == std::string::npos ? "" : r.target.substr(q + 1);
  for (const auto& [key, value] : r.headers) req.headers[AsciiLower(key)] = value;
  req.body = r.body;
  return req;
}

}  // namespace

LoopbackHttpServer::LoopbackHttpServer() : server_(std::make_unique<httplib::Server>()) {}

LoopbackHttpServer::~LoopbackHttpServer() = default;

Status LoopbackHttpServer::Listen(int port) {
  server_->new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  server_->set_read_timeout(kReadTimeoutS, 0);
  server_->set_keep_alive_max_count(100);
  const int bound = port == 0 ? server_->bind_to_any_port("127.0.0.1")
                              : (server_->bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) return Internal("cannot listen on 127.0.0.1:" + std::to_string(port));
  port_ = bound;
  return Status::Ok();
}

void LoopbackHttpServer::Serve(const HttpHandler& handler, const std::function<bool()>& keep_going,
                               int poll_ms) {
  std::mutex one_at_a_time;
  auto serve = [&](const httplib::Request& in, httplib::Response& out) {
    const HttpRequest req = FromHttplib(in);
    HttpResponse resp;
    {
      std::lock_guard<std::mutex> lock(one_at_a_time);
      resp = handler(req);
    }
    out.status = resp.status;
    for (const auto& [key, value] : resp.headers) out.set_header(key.c_str(), value);
    out.set_content(resp.body, resp.content_type.c_str());
  };
  // A request with neither Content-Length nor chunked encoding has no body
  // (RFC 9112 6.3; `curl -X PUT` of an IMDS token sends none), where
  // cpp-httplib 0.11 would read one until the client hangs up.
  auto serve_with_body = [&](const httplib::Request& in, httplib::Response& out,
                             const httplib::ContentReader& read) {
    httplib::Request with_body = in;
    if (in.has_header("Content-Length") || in.has_header("Transfer-Encoding")) {
      read([&](const char* data, size_t size) {
        with_body.body.append(data, size);
        return true;
      });
    }
    serve(with_body, out);
  };
  const std::string any = ".*";
  server_->Get(any, serve);
  server_->Delete(any, serve);
  server_->Put(any, serve_with_body);
  server_->Post(any, serve_with_body);
  server_->Patch(any, serve_with_body);
  std::thread listener([this] { server_->listen_after_bind(); });
  while (keep_going()) std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  server_->stop();
  listener.join();
}

}  // namespace spotrun
