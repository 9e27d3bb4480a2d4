// The fixed train/test split of the bundled traces (data/traces/README.md):
// policy constants are chosen on the train split only, and results on the
// test split are the ones that say how a policy does on traces it never saw.
//
// The rule: list the trace files as ListTraceFiles does (sorted by path);
// every third file, starting with the third (index % 3 == 2), is a test
// trace, the rest train. On the 13 bundled files that puts in the test split
// availability us-east-1d, us-east-2b and us-west-2c and preemption
// us-west-2b: both kinds, all three regions, 11-79% availability. Adding a
// file to data/traces moves the split: choose the constants again.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"
#include "sim/trace.h"
#include "util/status.h"

namespace spotrun {

enum class Split { kTrain, kTest };

// The policy benchmark's job (NSDI'24's default: 48 h of work, changeover
// 0.2 h, on-demand $3.06/h, spot $0.9731/h) with a deadline `hours` after
// its start: what bench/policy, its tuner and the split's test run.
JobTerms BenchmarkTerms(double deadline_hours);

// "train" or "test".
std::string_view SplitName(Split split);

// The split of the file at `index` in ListTraceFiles order.
Split SplitOf(size_t index);

struct SplitTraces {
  std::vector<Trace> train, test;
  // The files of each split, as "folder/stem" (e.g. "preemption/us-west-2b_v100_1").
  std::vector<std::string> train_files, test_files;
};

// Loads every trace under `dir` (ListTraceFiles) into its split. Fails as
// ListTraceFiles or LoadTrace does, or with NotFound for a folder without
// traces.
Result<SplitTraces> LoadSplitTraces(const std::string& dir);

}  // namespace spotrun
