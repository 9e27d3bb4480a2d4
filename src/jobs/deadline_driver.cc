// Jobs with a deadline: the spot/on-demand policy chooses the market of every
// launch and may move a running job to the other market.
#include <sstream>

#include "jobs/job_driver.h"

namespace spotrun {

Status JobDriver::SetUpPlanner() {
  if (!spec_.deadline_s) return Status::Ok();
  std::string why;
  auto spot = CandidatesIn(Market::kSpot, &why);
  auto on_demand = CandidatesIn(Market::kOnDemand, &why);
  if (on_demand.empty()) return InvalidArgument(why);
  const double od_price = on_demand.front().price;
  const double spot_price = spot.empty() ? od_price : spot.front().price;
  auto planner =
      DeadlinePlanner::Make(spec_, job_.created_at, ctx_.options.default_changeover_s,
                            ctx_.options.policy_tick_s, od_price, spot_price, ctx_.make_policy);
  if (!planner.ok()) return planner.status();
  planner_ = std::move(planner).value();
  auto events = ctx_.store->Events(job_.id);
  if (events.ok()) planner_->RestoreFrom(*events);
  std::ostringstream m;
  m << "deadline in " << *spec_.deadline_s / 3600 << " h for " << *spec_.budget.expected_s / 3600
    << " h of work; policy " << spec_.policy;
  ctx_.reporter->Note(m.str());
  return Status::Ok();
}

Status JobDriver::ProvisionByPolicy() {
  for (;;) {
    if (Stopping()) return Cancelled(stop_reason_);
    const double now = ctx_.clock->Now();
    Mode want =
        spec_.resources.use_spot ? planner_->Decide(Mode::kIdle, true, now) : Mode::kOnDemand;
    std::string why;
    if (want == Mode::kSpot) {
      auto spot = CandidatesIn(Market::kSpot, &why);
      Status s = spot.empty() ? CapacityError(why) : LaunchFirstAvailable(spot);
      if (s.ok() || s.code() != Code::kCapacity) return s;
      // No spot to be had: ask again, knowing that.
      want = planner_->Decide(Mode::kIdle, false, now);
    }
    if (want == Mode::kOnDemand) {
      auto on_demand = CandidatesIn(Market::kOnDemand, &why);
      if (on_demand.empty()) return InvalidArgument(why);
      ctx_.reporter->Note("policy " + spec_.policy + ": on-demand to meet the deadline");
      Status s = LaunchFirstAvailable(on_demand);
      if (s.ok() || s.code() != Code::kCapacity) return s;
    }
    for (double waited = 0; waited < planner_->tick_s(); waited += ctx_.options.poll_interval_s) {
      if (Stopping()) return Cancelled(stop_reason_);
      ctx_.clock->Sleep(ctx_.options.poll_interval_s);
    }
  }
}

bool JobDriver::PolicyWantsSwitch() {
  const double now = ctx_.clock->Now();
  if (!planner_ || job_.state != JobState::kRunning || now - last_decision_ < planner_->tick_s()) {
    return false;
  }
  last_decision_ = now;
  const Mode current = attempt_.market == "spot" ? Mode::kSpot : Mode::kOnDemand;
  // Spot is available while we hold a spot instance; from on-demand we cannot
  // know without trying, so the policy is asked as if it were.
  Mode want = planner_->Decide(current, true, now);
  if (want == current || (want == Mode::kSpot && !spec_.resources.use_spot)) return false;
  std::string why;
  if (want == Mode::kSpot && !LaunchReplacement(CandidatesIn(Market::kSpot, &why))) {
    // No spot to be had: ask again, knowing that.
    want = planner_->Decide(current, false, now);
    if (want == current || want == Mode::kSpot) return false;
  }
  ctx_.reporter->Note("policy " + spec_.policy + ": moving from " + std::string(ModeName(current)) +
                      " to " + std::string(ModeName(want)));
  return true;
}

bool JobDriver::LaunchReplacement(const std::vector<Candidate>& candidates) {
  if (candidates.empty()) return false;
  // The running attempt steps aside (into the history, so that the new one is
  // numbered after it) while the next one launches.
  HeldInstance run{attempt_, instance_, std::move(host_), std::move(session_),
                   polls_until_session_};
  instance_ = Instance{};
  history_.push_back(attempt_);
  // The instance that runs is still polled while the replacement launches.
  while_launching_ = [this, &run] { PollRunning(&run); };
  Status s = LaunchFirstAvailable(candidates);
  while_launching_ = nullptr;
  std::unique_ptr<Host> running_host = std::move(run.host);
  if (s.ok()) {
    replacement_ =
        std::make_unique<HeldInstance>(HeldInstance{attempt_, instance_, std::move(host_)});
  } else if (!instance_.id.empty()) {
    // Launched but never running (or a stop came first): give it back. It
    // bills from its launch to now, as the attempt says.
    (void)ctx_.cloud->Terminate(instance_.id);
    attempt_.ended_at = ctx_.clock->Now();
    attempt_.outcome = Stopping() ? "cancelled" : "launch-failed";
    (void)ctx_.store->UpsertAttempt(attempt_);
  }
  history_.pop_back();
  attempt_ = run.attempt;
  instance_ = run.instance;
  host_ = std::move(running_host);
  session_ = std::move(run.session);
  polls_until_session_ = run.polls_until_session;
  return s.ok();
}

void JobDriver::SwapWith(HeldInstance* running) {
  std::swap(attempt_, running->attempt);
  std::swap(instance_, running->instance);
  std::swap(host_, running->host);
  std::swap(session_, running->session);
  std::swap(polls_until_session_, running->polls_until_session);
}

void JobDriver::PollRunning(HeldInstance* running) {
  if (!running->host) return;
  SwapWith(running);
  auto polled = PollOnce();
  if (polled.ok()) {
    NoteNotice(*polled);
    // The agent took its final snapshot once it says "interrupted".
    if (polled->phase == "interrupted" && !final_synced_) {
      final_synced_ = true;
      SyncCheckpoint("final, on the interruption notice, while the replacement launches");
    }
  }
  SwapWith(running);
}

bool JobDriver::TakeReplacement() {
  if (!replacement_) return false;
  attempt_ = replacement_->attempt;
  instance_ = replacement_->instance;
  session_.reset();
  polls_until_session_ = 0;
  host_ = std::move(replacement_->host);
  replacement_.reset();
  return true;
}

}  // namespace spotrun
