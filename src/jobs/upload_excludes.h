// What an upload of the workdir leaves out besides the rules every upload
// follows (.gitignore, .spotrunignore, .git; remote/rsync.h): spotrun's own
// results directories, when they lie inside the workdir, so that results of
// earlier jobs never travel to an instance again.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spotrun {

// Where `spotrun launch` puts a job's results unless --results says otherwise:
// <current directory>/spotrun-results/<name>-<id>.
inline constexpr std::string_view kDefaultResultsRoot = "spotrun-results";

// Exclude patterns (anchored at the workdir, matched literally) for the
// results directories in `results_dirs` (absolute; the jobs spotrun knows)
// that lie inside `workdir`, with their ".partial" siblings; for one in the
// default layout, its whole `kDefaultResultsRoot` directory; and the workdir's
// own top-level `kDefaultResultsRoot`. Reads the disk only to resolve links.
std::vector<std::string> ResultsExcludes(const std::string& workdir,
                                         const std::vector<std::string>& results_dirs);

}  // namespace spotrun
