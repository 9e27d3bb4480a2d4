#include "jobs/upload_excludes.h"

#include <filesystem>
#include <set>

#include "remote/rsync.h"

namespace spotrun {

namespace fs = std::filesystem;

namespace {

fs::path Resolved(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal() : r;
}

// `dir` relative to `workdir` when strictly inside it, else "".
std::string InsideAsWritten(const fs::path& workdir, const fs::path& dir) {
  const std::string text = dir.lexically_relative(workdir).generic_string();
  if (text.empty() || text == "." || text == ".." || text.rfind("../", 0) == 0) return "";
  return text;
}

// The same, `dir` resolved (links followed) unless it is inside as written.
std::string Inside(const fs::path& workdir, const fs::path& dir) {
  if (std::string rel = InsideAsWritten(workdir, dir); !rel.empty()) return rel;
  return InsideAsWritten(workdir, Resolved(dir));
}

}  // namespace

std::vector<std::string> ResultsExcludes(const std::string& workdir,
                                         const std::vector<std::string>& results_dirs) {
  const fs::path root = Resolved(workdir);
  std::set<fs::path> candidates = {root / kDefaultResultsRoot};
  for (const std::string& dir : results_dirs) {
    if (dir.empty()) continue;
    const fs::path p = fs::path(dir).lexically_normal();
    if (p.parent_path().filename().string() == kDefaultResultsRoot) {
      candidates.insert(p.parent_path());
    } else {
      candidates.insert(p);
      candidates.insert(p.string() + ".partial");
    }
  }
  std::set<std::string> patterns;
  for (const fs::path& c : candidates) {
    if (std::string rel = Inside(root, c); !rel.empty()) {
      patterns.insert("/" + RsyncLiteral(rel) + "/");
    }
  }
  return {patterns.begin(), patterns.end()};
}

}  // namespace spotrun
