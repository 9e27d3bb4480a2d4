#include "jobs/deadline.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "policy/registry.h"

namespace spotrun {

Result<std::unique_ptr<DeadlinePlanner>> DeadlinePlanner::Make(
    const JobSpec& spec, double job_start, double changeover_s, double tick_s,
    double on_demand_price, double spot_price, const PolicyFactory& make_policy) {
  if (!spec.deadline_s || !spec.budget.expected_s) {
    return InvalidArgument("a deadline-aware job needs deadline and budget.expected_hours");
  }
  JobTerms terms;
  terms.work_s = *spec.budget.expected_s;
  terms.deadline_s = *spec.deadline_s;
  terms.overhead_s = changeover_s;
  terms.on_demand_price = on_demand_price;
  terms.spot_price = spot_price;
  terms.tick_s = tick_s;
  auto policy = make_policy ? make_policy(spec.policy, terms) : MakePolicy(spec.policy, terms);
  if (!policy.ok()) return policy.status();
  return std::unique_ptr<DeadlinePlanner>(
      new DeadlinePlanner(terms, job_start, std::move(policy).value()));
}

double DeadlinePlanner::progress_s(double now) const {
  return done_s_ + (run_started_ > 0 ? std::max(0.0, now - run_started_) : 0.0);
}

void DeadlinePlanner::RunStarted(double now, double launched_at) {
  run_started_ = now;
  // Plan with the changeover this cloud actually takes, if it is longer.
  if (launched_at > 0) terms_.overhead_s = std::max(terms_.overhead_s, now - launched_at);
}

void DeadlinePlanner::RunEnded(double now) {
  done_s_ = progress_s(now);
  run_started_ = 0;
  if (span_fraction_ >= 0 && fraction_ > span_fraction_) {
    gained_ += fraction_ - span_fraction_;
    gained_over_s_ += fraction_at_ - span_at_;
  }
  span_fraction_ = -1;
}

void DeadlinePlanner::ReportProgress(double fraction, double now) {
  if (span_fraction_ < 0) {
    span_fraction_ = fraction;
    span_at_ = now;
  }
  fraction_ = fraction;
  fraction_at_ = now;
}

double DeadlinePlanner::work_estimate_s() const {
  double gained = gained_, over_s = gained_over_s_;
  if (span_fraction_ >= 0 && fraction_ > span_fraction_) {
    gained += fraction_ - span_fraction_;
    over_s += fraction_at_ - span_at_;
  }
  // Too little to go by: a setup-heavy first epoch would mislead.
  if (gained < 0.02 || over_s < 600) return terms_.work_s;
  return over_s / gained;
}

double DeadlinePlanner::remaining_work_s(double now) const {
  if (fraction_ < 0) return std::max(1.0, terms_.work_s - progress_s(now));
  double left = work_estimate_s() * (1 - fraction_);
  // Work done since the last report, while `run` still runs.
  if (run_started_ > 0) left -= std::max(0.0, now - std::max(fraction_at_, run_started_));
  return std::max(1.0, left);
}

void DeadlinePlanner::RestoreFrom(const std::vector<EventRecord>& events) {
  double started = 0;
  for (const auto& e : events) {
    if (e.kind == "RUNNING") {
      started = e.at;
    } else if (e.kind == "PROGRESS") {
      fraction_ = std::clamp(std::atof(e.detail.c_str()), 0.0, 1.0);
      fraction_at_ = e.at;
    } else if (started > 0 && (e.kind == "PREEMPTED" || e.kind == "LOST" || e.kind == "MIGRATED" ||
                               e.kind == "PROVISIONING")) {
      done_s_ += e.at - started;
      started = 0;
    }
  }
  // An attempt still running when the controller died keeps counting.
  run_started_ = started;
}

Mode DeadlinePlanner::Decide(Mode current, bool spot_available, double now) const {
  PolicyInput in;
  in.terms = terms_;
  in.terms.work_s = work_estimate_s();
  in.remaining_work_s = remaining_work_s(now);
  in.time_left_s = terms_.deadline_s - (now - job_start_);
  in.instance = current;
  in.spot_available = spot_available;
  in.tick = static_cast<int64_t>(std::floor((now - job_start_) / terms_.tick_s));
  Mode m = policy_->Decide(in);
  // A policy may not choose spot when there is none.
  return m == Mode::kSpot && !spot_available ? Mode::kIdle : m;
}

}  // namespace spotrun
