#include "spec/output_clash.h"

namespace spotrun::spec {

namespace {

std::string WithoutSlash(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

// True when `path` is `dir` or lies below it.
bool Within(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

// A path's destination; a glob's destination directory ("" = the results directory).
std::string LandsAt(const OutputSpec& o) {
  if (!o.dest.empty()) return WithoutSlash(o.dest);
  if (IsGlobOutput(o.remote)) return "";
  const std::string remote = WithoutSlash(o.remote);
  const size_t slash = remote.rfind('/');
  return slash == std::string::npos ? remote : remote.substr(slash + 1);
}

std::string Quoted(const std::string& s) { return "'" + s + "'"; }

std::string Earlier(const OutputSpec& o) {
  return Quoted(o.remote) + " (line " + std::to_string(o.line) + ")";
}

std::optional<std::string> RemotesOverlap(const OutputSpec& earlier, const OutputSpec& later) {
  const std::string a = WithoutSlash(earlier.remote), b = WithoutSlash(later.remote);
  if (a == b) return Quoted(b) + " is already an output, on line " + std::to_string(earlier.line);
  if (Within(b, a)) return Quoted(b) + " is inside " + Earlier(earlier) + "; list one of them";
  if (Within(a, b)) return Quoted(b) + " holds " + Earlier(earlier) + "; list one of them";
  return std::nullopt;
}

}  // namespace

bool IsGlobOutput(std::string_view remote) {
  return remote.find_first_of("*?[") != std::string_view::npos;
}

std::optional<std::string> OutputClash(const OutputSpec& earlier, const OutputSpec& later) {
  const bool earlier_glob = IsGlobOutput(earlier.remote), later_glob = IsGlobOutput(later.remote);
  if (earlier_glob && later_glob) return std::nullopt;
  if (!earlier_glob && !later_glob) {
    if (auto overlap = RemotesOverlap(earlier, later)) return overlap;
  }
  const std::string a = LandsAt(earlier), b = LandsAt(later);
  // A glob's directory may lie inside a path's destination, not around it:
  // the results directory ("") holds everything.
  const bool clash = earlier_glob ? !a.empty() && Within(a, b)
                     : later_glob ? !b.empty() && Within(b, a)
                                  : Within(a, b) || Within(b, a);
  if (!clash) return std::nullopt;
  return Quoted(later.remote) + " lands at " + Quoted(b.empty() ? "." : b) +
         " in the results directory, and " + Earlier(earlier) + " at " +
         Quoted(a.empty() ? "." : a) + ": one would overwrite the other";
}

}  // namespace spotrun::spec
