// Recovery overlapped with the interruption notice: the replacement of a
// noticed spot instance is launched at once, while the noticed one still runs
// and takes its final checkpoint, instead of after the reclaim (make before
// break, as the deadline policy's move to spot does). Its `setup` and the
// restore of that checkpoint follow once both are done (job_run.cc).
#include <algorithm>

#include "jobs/job_driver.h"

namespace spotrun {
namespace {

// The spot offers of `all` outside the pool (type and zone) of attempt `a`.
std::vector<Candidate> SpotOutsidePoolOf(const AttemptRecord& a, std::vector<Candidate> all) {
  auto excluded = [&a](const Candidate& c) {
    return c.market != Market::kSpot ||
           (c.offer.instance_type == a.instance_type && c.offer.zone == a.zone);
  };
  all.erase(std::remove_if(all.begin(), all.end(), excluded), all.end());
  return all;
}

}  // namespace

void JobDriver::ReplaceOnNotice() {
  if (!ctx_.options.replace_during_notice || replacement_ || Stopping()) return;
  // The noticed attempt and its replacement both count (job_run.cc gives up
  // once history_ holds max_attempts).
  if (static_cast<int>(history_.size()) + 2 > ctx_.options.max_attempts) return;
  std::vector<Candidate> candidates = NoticeCandidates();
  if (candidates.empty()) {
    ctx_.reporter->Note("no pool but the noticed one to relaunch in; waiting for the reclaim");
    return;
  }
  ctx_.reporter->Note("launching the replacement while " + instance_.id +
                      " takes its final checkpoint");
  if (!LaunchReplacement(candidates)) {
    ctx_.reporter->Note("no replacement during the notice; relaunching after the reclaim");
  }
}

std::vector<Candidate> JobDriver::NoticeCandidates() {
  // Recovery order ranks by the newest attempt in history_: the noticed one.
  history_.push_back(attempt_);
  std::string why;
  // On-demand stays the last resort, after the reclaim and the noticed pool
  // tried again, unless a deadline policy asks for it.
  std::vector<Candidate> out =
      planner_ ? NoticeCandidatesByPolicy() : SpotOutsidePoolOf(attempt_, CandidatesToTry(&why));
  history_.pop_back();
  return out;
}

std::vector<Candidate> JobDriver::NoticeCandidatesByPolicy() {
  const double now = ctx_.clock->Now();
  std::string why;
  if (spec_.resources.use_spot && planner_->Decide(Mode::kIdle, true, now) == Mode::kSpot) {
    std::vector<Candidate> spot = SpotOutsidePoolOf(attempt_, CandidatesIn(Market::kSpot, &why));
    if (!spot.empty()) return spot;
  }
  // No other spot pool: the policy chooses as it would with no spot to be had.
  if (planner_->Decide(Mode::kIdle, false, now) != Mode::kOnDemand) return {};
  ctx_.reporter->Note("policy " + spec_.policy + ": on-demand to meet the deadline");
  return CandidatesIn(Market::kOnDemand, &why);
}

}  // namespace spotrun
