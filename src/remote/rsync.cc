#include "remote/rsync.h"

namespace spotrun {

std::vector<std::string> RsyncPushOptions(const std::vector<std::string>& excludes) {
  std::vector<std::string> args = {"rsync", "-a", "--filter=:- .gitignore",
                                   "--filter=:- .spotrunignore", "--exclude=.git/"};
  for (const auto& e : excludes) args.push_back("--exclude=" + e);
  return args;
}

std::string RsyncLiteral(std::string_view path) {
  if (path.find_first_of("*?[") == std::string_view::npos) return std::string(path);
  std::string out;
  for (char c : path) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::vector<std::string> RsyncPullOptions() {
  return {"rsync", "-a", "--no-links", "--no-devices", "--no-specials"};
}

}  // namespace spotrun
