// rsync command lines shared by every Host that moves files with rsync, so the
// exclude rules (.gitignore, .spotrunignore, .git) are the same on every cloud.
#pragma once

#include <string>
#include <vector>

namespace spotrun {

// rsync options that copy `local` (a directory's contents, or one file) with
// the workdir exclude rules plus `excludes`. The caller appends source and
// destination (and -e for ssh).
std::vector<std::string> RsyncPushOptions(const std::vector<std::string>& excludes);

// rsync options for bringing files back (no excludes).
std::vector<std::string> RsyncPullOptions();

}  // namespace spotrun
