#include "policy/spotrun_policy.h"

#include <algorithm>

namespace spotrun {

double ReserveSeconds(const SlackReserve& r, const PolicyInput& in) {
  const JobTerms& t = in.terms;
  const double time_left = std::max(0.0, in.time_left_s);
  const double initial_slack = std::max(0.0, t.deadline_s - t.work_s);
  const double share = t.deadline_s > 0 ? time_left / t.deadline_s : 0;
  return r.share * initial_slack * share + r.per_hour * t.overhead_s * time_left / 3600 +
         r.fixed * t.overhead_s;
}

double SpotrunPolicy::Reserve(const PolicyInput& in) const {
  return ReserveSeconds(params_.idle, in);
}

double SpotrunPolicy::SwitchReserve(const PolicyInput& in) const {
  return ReserveSeconds(params_.switch_from_od, in);
}

Mode SpotrunPolicy::Decide(const PolicyInput& in) const {
  const JobTerms& t = in.terms;
  const double slack = in.slack_s();
  if (in.instance != Mode::kSpot && slack < 2 * t.overhead_s + t.tick_s) {
    return Mode::kOnDemand;
  }
  if (in.spot_available) {
    if (in.instance != Mode::kOnDemand) return Mode::kSpot;
    const bool worth = in.remaining_work_s >= params_.min_work_to_switch * t.overhead_s;
    return worth && slack >= SwitchReserve(in) ? Mode::kSpot : Mode::kOnDemand;
  }
  if (in.instance == Mode::kOnDemand) return Mode::kOnDemand;
  return slack < Reserve(in) ? Mode::kOnDemand : Mode::kIdle;
}

}  // namespace spotrun
