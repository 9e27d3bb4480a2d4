// CurlHttpClient against loopback sockets opened by the test: a one-shot
// HTTP server, a closed port and a server that never answers.
#include "util/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace spotrun {
namespace {

// A socket listening on 127.0.0.1 at a port the kernel picks.
struct Listener {
  Listener() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    EXPECT_EQ(listen(fd, 4), 0);
    timeval limit{10, 0};  // Bounds accept() and read() if a test goes wrong.
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  }
  ~Listener() { Close(); }
  void Close() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  std::string Url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
  int fd = -1;
  int port = 0;
};

// Accepts one connection, reads the request (headers and Content-Length
// body) into *request, answers `response` and closes.
void ServeOnce(int listen_fd, const std::string& response, std::string* request) {
  int conn = accept(listen_fd, nullptr, nullptr);
  if (conn < 0) return;
  timeval limit{10, 0};
  setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  char buffer[65536];
  while (true) {
    ssize_t n = read(conn, buffer, sizeof(buffer));
    if (n <= 0) break;
    request->append(buffer, size_t(n));
    size_t end = request->find("\r\n\r\n");
    if (end == std::string::npos) continue;
    size_t at = request->find("Content-Length: ");
    size_t length = at == std::string::npos ? 0 : std::stoul(request->substr(at + 16));
    if (request->size() >= end + 4 + length) break;
  }
  (void)!write(conn, response.data(), response.size());
  close(conn);
}

TEST(CurlHttpClientTest, SendsHeadersAndBodyAndReadsTheResponse) {
  Listener listener;
  std::string received;
  std::thread server(ServeOnce, listener.fd,
                     "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/xml\r\n"
                     "X-Amzn-RequestId: abc\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
                     &received);
  CurlHttpClient client;
  HttpRequest request;
  request.method = "POST";
  request.url = listener.Url("/path?q=1");
  request.headers = {{"Host", "example.test:1234"}, {"X-Amz-Date", "20150830T123600Z"}};
  request.body = std::string(4000, 'a');  // Over 1 KiB: no "Expect: 100-continue" wait.
  request.timeout_s = 10;
  Result<HttpResponse> response = client.Send(request);
  server.join();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->Header("x-amzn-requestid"), "abc");
  EXPECT_EQ(response->Header("Content-Type"), "text/xml");
  EXPECT_EQ(response->Header("Missing"), "");
  EXPECT_EQ(received.rfind("POST /path?q=1 HTTP/1.1\r\n", 0), 0u) << received;
  EXPECT_NE(received.find("\r\nHost: example.test:1234\r\n"), std::string::npos);
  EXPECT_NE(received.find("\r\nX-Amz-Date: 20150830T123600Z\r\n"), std::string::npos);
  EXPECT_EQ(received.find("Expect:"), std::string::npos);
  EXPECT_NE(received.find("\r\n\r\n" + std::string(4000, 'a')), std::string::npos);
}

TEST(CurlHttpClientTest, ConnectionRefusedIsUnavailableWithoutTheQuery) {
  Listener listener;
  std::string url = listener.Url("/?X-Amz-Signature=secretish");
  listener.Close();
  CurlHttpClient client;
  Result<HttpResponse> response = client.Send({"GET", url, {}, "", 5});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kUnavailable);
  EXPECT_EQ(response.status().message().rfind("GET " + listener.Url("/") + ": ", 0), 0u)
      << response.status().message();
  EXPECT_EQ(response.status().message().find("secretish"), std::string::npos);
}

TEST(CurlHttpClientTest, SilentServerTimesOut) {
  Listener listener;  // Accepted by the kernel's backlog, never answered.
  CurlHttpClient client;
  Result<HttpResponse> response = client.Send({"POST", listener.Url(), {}, "x", 0.3});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kUnavailable);
}

TEST(CurlHttpClientTest, MalformedUrlIsInvalidArgument) {
  CurlHttpClient client;
  Result<HttpResponse> response = client.Send({"GET", "nosuchscheme://host/", {}, "", 1});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(UrlWithoutQuery("https://h:1/p?q#f"), "https://h:1/p");
}

}  // namespace
}  // namespace spotrun
