#include "sim/trace_split.h"

#include <filesystem>

namespace spotrun {

std::string_view SplitName(Split split) { return split == Split::kTest ? "test" : "train"; }

Split SplitOf(size_t index) { return index % 3 == 2 ? Split::kTest : Split::kTrain; }

Result<SplitTraces> LoadSplitTraces(const std::string& dir) {
  Result<std::vector<std::string>> files = ListTraceFiles(dir);
  if (!files.ok()) return files.status();
  if (files->empty()) return NotFound("no traces under " + dir);
  SplitTraces split;
  for (size_t i = 0; i < files->size(); ++i) {
    Result<Trace> trace = LoadTrace((*files)[i]);
    if (!trace.ok()) return trace.status();
    const std::filesystem::path path((*files)[i]);
    const std::string label = path.parent_path().filename().string() + "/" + path.stem().string();
    const bool test = SplitOf(i) == Split::kTest;
    (test ? split.test : split.train).push_back(std::move(*trace));
    (test ? split.test_files : split.train_files).push_back(label);
  }
  return split;
}

}  // namespace spotrun
