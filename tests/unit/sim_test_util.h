// Helpers shared by the policy and simulator tests: tiny traces and a policy
// wrapper that records every decision.
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"
#include "sim/trace.h"

namespace spotrun {

// A trace with one tick per character of `pattern`: '1' available, '0' not.
inline Trace MakeTrace(const std::string& pattern, int64_t gap_s = 60) {
  Trace t;
  t.name = "test";
  t.gap_s = gap_s;
  for (char c : pattern) t.available.push_back(c == '1' ? 1 : 0);
  return t;
}

// Small terms in seconds: 60 s ticks, prices $3/h on-demand and $1/h spot.
inline JobTerms SmallTerms(double work_s, double deadline_s, double overhead_s) {
  JobTerms t;
  t.work_s = work_s;
  t.deadline_s = deadline_s;
  t.overhead_s = overhead_s;
  t.on_demand_price = 3;
  t.spot_price = 1;
  t.tick_s = 60;
  return t;
}

// Wraps a policy and logs its decisions as one letter per tick: I(dle),
// S(pot), O(n-demand).
class RecordingPolicy : public Policy {
 public:
  explicit RecordingPolicy(const Policy& inner) : inner_(inner) {}
  Mode Decide(const PolicyInput& in) const override {
    const Mode m = inner_.Decide(in);
    log_ += m == Mode::kIdle ? 'I' : (m == Mode::kSpot ? 'S' : 'O');
    return m;
  }
  const std::string& log() const { return log_; }

 private:
  const Policy& inner_;
  mutable std::string log_;
};

}  // namespace spotrun
