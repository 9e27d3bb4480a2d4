// rsync command lines shared by every Host that moves files with rsync, so the
// exclude rules (.gitignore, .spotrunignore, .git) are the same on every cloud.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spotrun {

// rsync options that copy `local` (a directory's contents, or one file) with
// the workdir exclude rules plus `excludes`. The caller appends source and
// destination (and -e for ssh).
std::vector<std::string> RsyncPushOptions(const std::vector<std::string>& excludes);

// `path` as an rsync filter pattern that matches it literally: with any of
// * ? [ in it, those and backslashes are escaped (rsync reads a backslash as
// an escape only in a pattern that has a wildcard); otherwise `path` itself.
std::string RsyncLiteral(std::string_view path);

// rsync options for bringing files back (no excludes). Links, devices and
// special files are skipped, never recreated: what comes back from an
// instance is regular files and directories only, so results hold no link to
// a file of this machine.
std::vector<std::string> RsyncPullOptions();

}  // namespace spotrun
