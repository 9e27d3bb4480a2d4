#include "policy/baseline_policies.h"

namespace spotrun {

bool SafetyNetFires(const PolicyInput& in) {
  return in.instance != Market::kSpot && in.slack_s() < 2 * in.terms.overhead_s;
}

Market OnDemandPolicy::Decide(const PolicyInput&) const { return Market::kOnDemand; }

Market SpotOnlyPolicy::Decide(const PolicyInput& in) const {
  return in.spot_available ? Market::kSpot : Market::kIdle;
}

Market GreedyPolicy::Decide(const PolicyInput& in) const {
  if (SafetyNetFires(in)) return Market::kOnDemand;
  return in.spot_available ? Market::kSpot : Market::kIdle;
}

Market UniformProgressPolicy::Decide(const PolicyInput& in) const {
  if (SafetyNetFires(in)) return Market::kOnDemand;
  if (in.spot_available) return Market::kSpot;
  const JobTerms& t = in.terms;
  auto expected = [&](double at_s) { return t.work_s * at_s / t.deadline_s; };
  const double now = in.elapsed_s();
  if (in.instance == Market::kOnDemand) {
    return in.progress_s() < expected(now + 2 * t.overhead_s) ? Market::kOnDemand : Market::kIdle;
  }
  return in.progress_s() < expected(now) ? Market::kOnDemand : Market::kIdle;
}

}  // namespace spotrun
