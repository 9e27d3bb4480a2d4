// The default policy on the test split of the bundled traces
// (sim/trace_split.h), which its constants were not chosen on: the policy
// benchmark's job (48 h of work, changeover 0.2 h, on-demand $3.06/h, spot
// $0.9731/h) at deadlines of 52 h and 70 h. The model loop runs every start
// in well under a second.
#include <gtest/gtest.h>

#include <string>

#include "policy/registry.h"
#include "sim/aggregate.h"
#include "sim/experiment.h"
#include "sim/trace_split.h"

namespace spotrun {
namespace {

std::string TraceDir() { return std::string(SPOTRUN_SOURCE_DIR) + "/data/traces"; }

// Every run of `policy` over `traces` from `starts` evenly spaced starts each.
Summary RunAll(const std::string& policy, const std::vector<Trace>& traces, const JobTerms& terms,
               int starts) {
  std::vector<RunResult> all;
  for (const Trace& t : traces) {
    const auto ticks = EvenStartTicks(t, terms.deadline_s, starts).value();
    const auto runs = RunPolicy(policy, t, ticks, terms).value();
    all.insert(all.end(), runs.begin(), runs.end());
  }
  return Summarize(policy, all, terms);
}

TEST(TraceSplitTest, EveryThirdFileIsATestTrace) {
  EXPECT_EQ(SplitOf(0), Split::kTrain);
  EXPECT_EQ(SplitOf(1), Split::kTrain);
  EXPECT_EQ(SplitOf(2), Split::kTest);
  EXPECT_EQ(SplitOf(5), Split::kTest);
  EXPECT_EQ(SplitOf(6), Split::kTrain);
}

TEST(TraceSplitTest, TestSplitMixesKindsAndRegions) {
  Result<SplitTraces> split = LoadSplitTraces(TraceDir());
  ASSERT_TRUE(split.ok()) << split.status().message();
  const std::vector<std::string> test = {
      "availability/us-east-1d_v100_1", "availability/us-east-2b_v100_1",
      "availability/us-west-2c_v100_1", "preemption/us-west-2b_v100_1"};
  EXPECT_EQ(split->test_files, test);
  EXPECT_EQ(split->train_files.size(), 9u);
  EXPECT_EQ(split->train.size(), 9u);
  EXPECT_EQ(split->test.size(), 4u);
  for (const std::string& f : split->test_files) {
    for (const std::string& g : split->train_files) EXPECT_NE(f, g);
  }
}

// The hard requirement: on traces it was not tuned on, the default
// policy misses no deadline and costs less than Uniform Progress.
TEST(DefaultPolicyTest, BeatsUniformProgressOnTheTestSplit) {
  Result<SplitTraces> split = LoadSplitTraces(TraceDir());
  ASSERT_TRUE(split.ok()) << split.status().message();
  for (double hours : {52.0, 70.0}) {
    const JobTerms terms = BenchmarkTerms(hours);
    const Summary ours = RunAll("default", split->test, terms, 100);
    const Summary up = RunAll("uniform-progress", split->test, terms, 100);
    EXPECT_EQ(ours.runs, 400);
    EXPECT_EQ(ours.misses, 0) << hours << " h";
    EXPECT_LT(ours.mean_cost, up.mean_cost) << hours << " h";
    RecordProperty(
        "mean_cost_" + std::to_string(static_cast<int>(hours)) + "h",
        std::to_string(ours.mean_cost) + " vs uniform-progress " + std::to_string(up.mean_cost));
  }
}

}  // namespace
}  // namespace spotrun
