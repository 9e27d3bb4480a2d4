#include "dashboard/access.h"

namespace spotrun {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Calls `each(key, value)` for every `key=value` of `text` split at `sep`.
template <typename F>
void ForEachPair(std::string_view text, char sep, F each) {
  while (!text.empty()) {
    const size_t end = text.find(sep);
    std::string_view part = text.substr(0, end);
    const size_t eq = part.find('=');
    if (eq != std::string_view::npos) each(Trim(part.substr(0, eq)), part.substr(eq + 1));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

std::string Header(const HttpRequest& req, const std::string& name) {
  auto it = req.headers.find(name);
  return it == req.headers.end() ? "" : it->second;
}

}  // namespace

std::string QueryParam(std::string_view query, std::string_view name) {
  std::string found;
  ForEachPair(query, '&', [&](std::string_view key, std::string_view value) {
    if (key == name && found.empty()) found = PercentDecode(value);
  });
  return found;
}

std::string CookieValue(std::string_view cookie_header, std::string_view name) {
  std::string found;
  ForEachPair(cookie_header, ';', [&](std::string_view key, std::string_view value) {
    if (key == name && found.empty()) found = std::string(Trim(value));
  });
  return found;
}

bool HasToken(const HttpRequest& req, std::string_view token) {
  if (token.empty()) return false;
  for (const std::string& given :
       {QueryParam(req.query, "token"), CookieValue(Header(req, "cookie"), kTokenCookie),
        Header(req, kTokenHeader)}) {
    if (TokensEqual(given, token)) return true;
  }
  return false;
}

bool HostAllowed(const HttpRequest& req, int port) {
  const std::string host = Header(req, "host");
  const std::string p = ":" + std::to_string(port);
  return host == "127.0.0.1" + p || host == "localhost" + p;
}

bool SameOrigin(const HttpRequest& req, std::string_view origin) {
  auto it = req.headers.find("origin");
  if (it != req.headers.end()) return it->second == origin;
  const std::string referer = Header(req, "referer");
  return !referer.empty() && referer.size() > origin.size() &&
         std::string_view(referer).substr(0, origin.size()) == origin &&
         referer[origin.size()] == '/';
}

}  // namespace spotrun
