#include "util/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "util/ascii.h"

namespace spotrun {
namespace {

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    default:
      return "Status";
  }
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Reads the request head and body (Content-Length) with a 5 s budget.
bool ReadRequest(int conn, HttpRequest* req) {
  std::string data;
  char buf[4096];
  size_t head_end = std::string::npos;
  while (head_end == std::string::npos) {
    pollfd p{conn, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) return false;
    ssize_t n = read(conn, buf, sizeof buf);
    if (n <= 0) return false;
    data.append(buf, n);
    head_end = data.find("\r\n\r\n");
    if (data.size() > (1 << 16)) return false;
  }
  std::istringstream head(data.substr(0, head_end));
  std::string line, target, version;
  std::getline(head, line);
  std::istringstream first(line);
  first >> req->method >> target >> version;
  size_t q = target.find('?');
  req->path = target.substr(0, q);
  req->query = q == std::string::npos ? "" : target.substr(q + 1);
  while (std::getline(head, line)) {
    size_t colon = line.find(':');
    if (colon != std::string::npos)
      req->headers[AsciiLower(Trim(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
  }
  req->body = data.substr(head_end + 4);
  size_t want = 0;
  if (auto it = req->headers.find("content-length"); it != req->headers.end())
    want = std::stoul(it->second);
  while (req->body.size() < want) {
    pollfd p{conn, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) return false;
    ssize_t n = read(conn, buf, sizeof buf);
    if (n <= 0) return false;
    req->body.append(buf, n);
  }
  return true;
}

}  // namespace

LoopbackHttpServer::~LoopbackHttpServer() {
  if (fd_ >= 0) close(fd_);
}

Status LoopbackHttpServer::Listen(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return Internal(std::string("socket: ") + strerror(errno));
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 64) != 0) {
    return Internal(std::string("bind 127.0.0.1: ") + strerror(errno));
  }
  socklen_t len = sizeof addr;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  return Status::Ok();
}

void LoopbackHttpServer::Serve(const HttpHandler& handler, const std::function<bool()>& keep_going,
                               int poll_ms) {
  while (keep_going()) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, poll_ms) <= 0) continue;
    int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    ServeOne(conn, handler);
    close(conn);
  }
}

void LoopbackHttpServer::ServeOne(int conn, const HttpHandler& handler) {
  HttpRequest req;
  if (!ReadRequest(conn, &req)) return;
  HttpResponse resp = handler(req);
  std::ostringstream out;
  out << "HTTP/1.1 " << resp.status << " " << ReasonPhrase(resp.status) << "\r\n"
      << "Content-Type: " << resp.content_type << "\r\n"
      << "Content-Length: " << resp.body.size() << "\r\n"
      << "Connection: close\r\n\r\n"
      << resp.body;
  std::string s = out.str();
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(conn, s.data() + off, s.size() - off);
    if (n <= 0) return;
    off += n;
  }
}

}  // namespace spotrun
