// The caller's public IPv4 address, used as the only source allowed to reach
// SSH on a job's instance when the user gives none (AWS only, never with an
// endpoint override). Asked of AWS's own checkip service.
#pragma once

#include <string>

#include "util/http_client.h"

namespace spotrun::aws {

inline constexpr const char* kCheckIpUrl = "https://checkip.amazonaws.com/";

// "ADDRESS/32" from `url` (which answers the address as plain text).
// kUnavailable, saying to set SPOTRUN_SSH_CIDR or ssh_cidr instead, when it
// cannot be reached or answers anything else.
Result<std::string> LookUpPublicCidr(HttpClient* http, const std::string& url = kCheckIpUrl);

}  // namespace spotrun::aws
