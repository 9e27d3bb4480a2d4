#include "policy/spotrun_policy.h"

#include <algorithm>

namespace spotrun {

double SpotrunPolicy::Reserve(const PolicyInput& in) const {
  const JobTerms& t = in.terms;
  const double time_left = std::max(0.0, in.time_left_s);
  const double initial_slack = std::max(0.0, t.deadline_s - t.work_s);
  const double share = t.deadline_s > 0 ? time_left / t.deadline_s : 0;
  return params_.slack_share * initial_slack * share +
         params_.changeovers_per_hour * t.overhead_s * time_left / 3600;
}

Mode SpotrunPolicy::Decide(const PolicyInput& in) const {
  const JobTerms& t = in.terms;
  const double slack = in.slack_s();
  if (in.instance != Mode::kSpot && slack < 2 * t.overhead_s + t.tick_s) {
    return Mode::kOnDemand;
  }
  if (in.spot_available) return Mode::kSpot;
  if (in.instance == Mode::kOnDemand) return Mode::kOnDemand;
  return slack < Reserve(in) ? Mode::kOnDemand : Mode::kIdle;
}

}  // namespace spotrun
