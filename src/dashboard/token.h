// The dashboard's access token: random, compared in constant time.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace spotrun {

// A new token: 32 lowercase hex digits from 16 bytes of /dev/urandom.
// Fails (Internal) when /dev/urandom cannot be read.
Result<std::string> NewDashboardToken();

// a == b, in time that depends only on the lengths.
bool TokensEqual(std::string_view a, std::string_view b);

}  // namespace spotrun
