// The reference policies of the NSDI'24 "Can't Be Late" paper, section 3-5.
// All are stateless; see policy.h for the model.
#pragma once

#include "policy/policy.h"

namespace spotrun {

// On-demand from start to finish: the cost ceiling that never misses.
class OnDemandPolicy : public Policy {
 public:
  Mode Decide(const PolicyInput& in) const override;
};

// Spot whenever available, idle otherwise; never on-demand, so it can miss.
class SpotOnlyPolicy : public Policy {
 public:
  Mode Decide(const PolicyInput& in) const override;
};

// Greedy with the Safety Net: spot when available, else idle; once not on spot
// with slack below 2d, on-demand to the end. Never misses when tick_s <= d.
class GreedyPolicy : public Policy {
 public:
  Mode Decide(const PolicyInput& in) const override;
};

// Uniform Progress: with expected progress ep(t) = C0 * t / R0,
//   - takes any spot when available and keeps it until preempted;
//   - when idle and behind (progress < ep(t)), goes on-demand;
//   - hysteresis: stays on-demand until progress >= ep(t + 2d);
//   - plus the Safety Net of GreedyPolicy, which overrides the rest.
class UniformProgressPolicy : public Policy {
 public:
  Mode Decide(const PolicyInput& in) const override;
};

// The Safety Net shared by the policies above: true when the job is not on
// spot and has less than 2d of slack, so that it must run on-demand to the end.
bool SafetyNetFires(const PolicyInput& in);

}  // namespace spotrun
