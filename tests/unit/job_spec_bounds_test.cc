// Numbers in a job file stay within the ranges of spec/limits.h: infinities
// made through units, huge and vanishing values are one-line errors; and
// control characters echoed from the file never cut a message short.
#include <gtest/gtest.h>

#include "spec/job_spec.h"
#include "spec_test_util.h"

namespace spotrun {
namespace {

using JobSpecBoundsTest = SpecTest;

// 1e308 written out: finite, and 309 digits long.
const std::string kHuge = "1" + std::string(308, '0');
const std::string kHugeShown = kHuge.substr(0, 60) + "...";

TEST_F(JobSpecBoundsTest, InfinitiesThroughUnitsAreRefused) {
  EXPECT_EQ(Error("run: x\nbudget:\n  max_duration: " + kHuge + "d\n"),
            At("3:17: budget.max_duration: must be at most 3650d, got " + kHugeShown));
  EXPECT_EQ(Error("run: x\nresources:\n  memory: 1e308T\n"),
            At("3:11: resources.memory: must be at most 64T, got 1e308T"));
  EXPECT_EQ(Error("run: x\ndeadline: " + kHuge + "h 30m\nbudget: {expected_hours: 1}\n"),
            At("2:11: deadline: must be at most 3650d, got " + kHugeShown));
}

TEST_F(JobSpecBoundsTest, HugeNumbersAreRefusedAndShortened) {
  EXPECT_EQ(Error("run: x\nresources:\n  max_price: " + kHuge + "\n"),
            At("3:14: resources.max_price: must be at most 1000, got " + kHugeShown));
  EXPECT_EQ(Error("run: x\nrecovery:\n  grace_period: 1e308\n"),
            At("3:17: recovery.grace_period: must be at most 3650d, got 1e308"));
  EXPECT_EQ(Error("run: x\nresources:\n  cpus: 1e9\n"),
            At("3:9: resources.cpus: must be at most 4096, got 1e9"));
  EXPECT_EQ(Error("run: x\nbudget:\n  max_cost: 1e12\n"),
            At("3:13: budget.max_cost: must be at most 1000000, got 1e12"));
  EXPECT_EQ(Error("run: x\nbudget:\n  expected_hours: 1e6\n"),
            At("3:19: budget.expected_hours: must be at most 8760, got 1e6"));
  EXPECT_EQ(Error("run: x\nrecovery:\n  controller_timeout: 4000d\n"),
            At("3:23: recovery.controller_timeout: must be at most 3650d, got 4000d"));
}

TEST_F(JobSpecBoundsTest, VanishingLengthsAreRefused) {
  EXPECT_EQ(Error("run: x\nbudget:\n  expected_hours: 1e-300\n"),
            At("3:19: budget.expected_hours: must be at least 0.001, got 1e-300"));
  EXPECT_EQ(Error("run: x\nbudget:\n  expected_hours: 0\n"),
            At("3:19: budget.expected_hours: must be > 0, got 0"));
  EXPECT_EQ(Error("run: x\ncheckpoint:\n  sync_interval: 1e-300\n"),
            At("3:18: checkpoint.sync_interval: must be at least 1s, got 1e-300"));
  EXPECT_EQ(Error("run: x\nrecovery:\n  grace_period: 0.5s\n"),
            At("3:17: recovery.grace_period: must be at least 1s, got 0.5s"));
}

TEST_F(JobSpecBoundsTest, TheBoundsThemselvesAreAccepted) {
  auto spec = Parse(
      "run: x\nresources: {cpus: 4096, memory: 64T, max_price: 1000}\n"
      "budget: {max_cost: 1000000, expected_hours: 0.001, max_duration: 3650d}\n"
      "deadline: 1s\ncheckpoint: {sync_interval: 1}\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->resources.memory_gib, 65536);
  EXPECT_EQ(spec->budget.max_duration_s, 3650 * 86400.0);
  EXPECT_DOUBLE_EQ(*spec->budget.expected_s, 3.6);
  EXPECT_EQ(spec->deadline_s, 1);
}

TEST_F(JobSpecBoundsTest, ControlCharactersAreEscapedNotCut) {
  // "\0" in a double-quoted YAML string is a NUL byte in the value.
  const std::string nul = Error("run: x\ncloud: \"aw\\0s\"\n");
  EXPECT_EQ(nul.find('\0'), std::string::npos);
  EXPECT_EQ(nul, At("2:8: cloud: must be 'local' or 'aws', got 'aw\\x00s'; did you mean 'aws'?"));
  EXPECT_EQ(Error("run: x\nresources:\n  cpus: \"4\\t\\x7f\"\n"),
            At("3:9: resources.cpus: expected a number, got '4\\t\\x7f'"));
}

}  // namespace
}  // namespace spotrun
