// IP address and CIDR syntax checks (IPv4 and IPv6), for the SSH source range
// of AWS security groups. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace spotrun {

// True for a dotted-quad IPv4 address ("203.0.113.7").
bool IsIpv4Address(std::string_view text);

// True for "ADDRESS/PREFIX": an IPv4 address with a prefix 0-32, or an IPv6
// address with a prefix 0-128 ("203.0.113.7/32", "2001:db8::/64").
bool IsCidr(std::string_view text);

// True for a range that matches every address ("0.0.0.0/0", "::/0", and any
// address with prefix 0).
bool IsWholeInternet(std::string_view cidr);

}  // namespace spotrun
