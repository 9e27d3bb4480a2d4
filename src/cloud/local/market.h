// The local cloud's simulated spot market: when a job's spot instances are
// taken back. A plan is set per job by `spotrun launch` (--preempt-at,
// --preempt-rate, --preempt-trace) and kept in SPOTRUN_HOME/local/market/<job>.json;
// each spot launch of the job draws its schedule from it. The instance's IMDS
// daemon carries the schedule out: an interruption notice first (EC2's two
// minutes, scaled to kNoticeSeconds), then the termination.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace spotrun {

// EC2 gives 120 s of notice; the local cloud gives this many (1:24).
inline constexpr double kLocalNoticeSeconds = 5;
// EC2 users poll IMDS every 5 s; local instances are told to poll this often.
inline constexpr double kLocalImdsPollSeconds = 0.2;

struct MarketPlan {
  std::vector<double> preempt_at;  // i-th spot instance: seconds after its `run` starts.
  double rate_per_hour = 0;        // Poisson preemptions per hour of instance time.
  unsigned seed = 1;
  std::string trace_path;      // Availability trace (data/traces format).
  std::string trace_encoding;  // "availability" (0 = available) or "preemption" (1 = up).
  double trace_speed = 3600;   // Trace seconds per local second.
  double started_at = 0;       // Epoch when the plan began (trace time 0).
  int launched = 0;            // Spot instances launched so far under the plan.

  bool empty() const { return preempt_at.empty() && rate_per_hour <= 0 && trace_path.empty(); }
};

// When one instance is taken back: `seconds` after its launch, or after its
// `run` starts when `after_run_start`.
struct PreemptSchedule {
  bool after_run_start = false;
  double seconds = 0;
};

Status SaveMarketPlan(const std::string& path, const MarketPlan& plan);
Result<MarketPlan> LoadMarketPlan(const std::string& path);

// Draws the schedule of the next spot instance from `plan` (advancing it), or
// kCapacity when the trace says spot is unavailable at `now` or will be within
// kLocalNoticeSeconds (its capacity is being reclaimed: a trace is the whole
// market's, every pool's). Instances drawn from preempt_at or the rate are
// taken back one by one: a replacement can be had during another's notice,
// in any pool. nullopt: never.
Result<std::optional<PreemptSchedule>> NextSpotLaunch(MarketPlan* plan, double now);

Status SaveSchedule(const std::string& path, const PreemptSchedule& s);
Result<PreemptSchedule> LoadSchedule(const std::string& path);

}  // namespace spotrun
