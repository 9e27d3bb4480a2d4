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

JobTerms BenchmarkTerms(double deadline_hours) {
  JobTerms t;
  t.work_s = 48 * 3600;
  t.deadline_s = deadline_hours * 3600;
  t.overhead_s = 0.2 * 3600;
  t.on_demand_price = 3.06;
  t.spot_price = 0.9731;
  return t;
}

}  // namespace spotrun
