// The range of every number in a job file, defined once; docs/job-spec.md
// lists them. Each range is wide enough for any real job and narrow enough
// that no value overflows the cost, time and size arithmetic it feeds (an
// infinity from "1e308d" or a 309-digit price never gets in). Whole-number
// fields (disk_size, max_restarts, accelerator counts) carry their bounds
// where they are read.
#pragma once

#include <string_view>

namespace spotrun::spec {

// Inclusive bounds of a numeric field, and how messages write them. Every
// field's numbers are > 0 whatever `min` says.
struct NumberRange {
  double min;  // 0: any number > 0.
  double max;
  std::string_view min_text;
  std::string_view max_text;
};

// resources.cpus: vCPUs; the largest EC2 types have 448.
inline constexpr NumberRange kCpusRange{0, 4096, "0", "4096"};
// resources.memory in GiB: up to 64 TiB (the largest EC2 types have 24 TiB).
inline constexpr NumberRange kMemoryGibRange{0, 65536, "0", "64T"};
// resources.max_price in USD per hour; on-demand p5.48xlarge costs about 100.
inline constexpr NumberRange kMaxPriceRange{0, 1000, "0", "1000"};
// budget.max_cost in USD.
inline constexpr NumberRange kMaxCostRange{0, 1e6, "0", "1000000"};
// budget.expected_hours: from 3.6 seconds to a year.
inline constexpr NumberRange kExpectedHoursRange{0.001, 8760, "0.001", "8760"};
// Every duration (budget.max_duration, deadline, checkpoint.sync_interval,
// recovery.grace_period, recovery.controller_timeout), in seconds: from one
// second to ten years, so that `estimate`'s default deadline for the longest
// job (3 x expected_hours + 24 h) is a duration too.
inline constexpr NumberRange kDurationRange{1, 3650 * 86400.0, "1s", "3650d"};
// idle_minutes (notebooks): from a second to a week.
inline constexpr NumberRange kIdleMinutesRange{1.0 / 60, 7 * 1440, "0.0167", "10080"};

}  // namespace spotrun::spec
