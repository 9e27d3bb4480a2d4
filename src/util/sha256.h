// SHA-256 of bytes and of files, as lowercase hex (OpenSSL).
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace spotrun {

std::string Sha256OfBytes(std::string_view data);
// Streams the file; NotFound when it cannot be read.
Result<std::string> Sha256OfFile(const std::string& path);

}  // namespace spotrun
