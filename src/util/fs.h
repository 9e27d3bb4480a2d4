// Small file helpers that report failures as Status.
#pragma once

#include <string>

#include "util/status.h"

namespace spotrun {

Result<std::string> ReadFile(const std::string& path);
// Writes to "<path>.tmp-<pid>" then renames: readers see the old or the new
// content, never a partial file.
Status WriteFileAtomic(const std::string& path, const std::string& content);
Status MakeDirs(const std::string& path);
Status RemoveAll(const std::string& path);
bool PathExists(const std::string& path);

}  // namespace spotrun
