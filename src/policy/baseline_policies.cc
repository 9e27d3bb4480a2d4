#include "policy/baseline_policies.h"

namespace spotrun {

bool SafetyNetFires(const PolicyInput& in) {
  return in.instance != Mode::kSpot && in.slack_s() < 2 * in.terms.overhead_s;
}

Mode OnDemandPolicy::Decide(const PolicyInput&) const { return Mode::kOnDemand; }

Mode SpotOnlyPolicy::Decide(const PolicyInput& in) const {
  return in.spot_available ? Mode::kSpot : Mode::kIdle;
}

Mode GreedyPolicy::Decide(const PolicyInput& in) const {
  if (SafetyNetFires(in)) return Mode::kOnDemand;
  return in.spot_available ? Mode::kSpot : Mode::kIdle;
}

Mode UniformProgressPolicy::Decide(const PolicyInput& in) const {
  if (SafetyNetFires(in)) return Mode::kOnDemand;
  if (in.spot_available) return Mode::kSpot;
  const JobTerms& t = in.terms;
  auto expected = [&](double at_s) { return t.work_s * at_s / t.deadline_s; };
  const double now = in.elapsed_s();
  if (in.instance == Mode::kOnDemand) {
    return in.progress_s() < expected(now + 2 * t.overhead_s) ? Mode::kOnDemand : Mode::kIdle;
  }
  return in.progress_s() < expected(now) ? Mode::kOnDemand : Mode::kIdle;
}

}  // namespace spotrun
