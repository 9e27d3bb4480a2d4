#include "util/cidr.h"

#include <arpa/inet.h>

#include <algorithm>

namespace spotrun {
namespace {

// The prefix length after '/', or -1.
int PrefixLength(std::string_view text) {
  if (text.empty() || text.size() > 3) return -1;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return -1;
  }
  if (text.size() > 1 && text[0] == '0') return -1;
  return std::stoi(std::string(text));
}

}  // namespace

bool IsIpv4Address(std::string_view text) {
  in_addr a{};
  return inet_pton(AF_INET, std::string(text).c_str(), &a) == 1;
}

bool IsCidr(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string address(text.substr(0, slash));
  const int prefix = PrefixLength(text.substr(slash + 1));
  in6_addr a6{};
  if (IsIpv4Address(address)) return prefix >= 0 && prefix <= 32;
  return inet_pton(AF_INET6, address.c_str(), &a6) == 1 && prefix >= 0 && prefix <= 128;
}

bool IsWholeInternet(std::string_view cidr) {
  return IsCidr(cidr) && cidr.substr(cidr.find('/')) == "/0";
}

}  // namespace spotrun
