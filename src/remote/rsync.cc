#include "remote/rsync.h"

namespace spotrun {

std::vector<std::string> RsyncPushOptions(const std::vector<std::string>& excludes) {
  std::vector<std::string> args = {"rsync", "-a", "--filter=:- .gitignore",
                                   "--filter=:- .spotrunignore", "--exclude=.git/"};
  for (const auto& e : excludes) args.push_back("--exclude=" + e);
  return args;
}

std::vector<std::string> RsyncPullOptions() { return {"rsync", "-a"}; }

}  // namespace spotrun
