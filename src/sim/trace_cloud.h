// TraceCloud: a Cloud whose spot market is a trace, for replaying jobs
// through the real controller (sim/replay.h). One region ("trace"), one zone
// (the trace's name) and one instance type, spot and on-demand, at the
// prices of the jobs' terms. Time is the replay's SimClock: tick k of the
// trace is `gap_s` x k seconds after the tick the clock read when the market
// was made. Every job of a replay that runs on one trace shares its market:
// a job that starts at tick k is submitted when the clock reads tick k.
//
// The market (the model of policy/policy.h):
//   - a spot launch fails with kCapacity at a tick where the trace has no
//     spot; on-demand launches always succeed;
//   - a spot instance is taken back, with no notice, at the start of the
//     first tick after its launch where the trace has no spot; its state
//     reason is then "Server.SpotInstanceTermination". With no notice, the
//     controller's replacement during one (jobs/notice_replacement.cc) never
//     arises here: the recovery starts at the reclaim, as in the model loop.
//     The trace is one pool: during a notice it could offer no spot
//     replacement anyway, since its capacity is what is being taken back;
//   - instances run from their launch (boot is part of the changeover) and
//     bill until they end, per second.
//
// The agent on its instances (TraceHost) spends the changeover `overhead_s`
// after the launch in setup, then runs `run`, which needs `work_s` seconds
// in all: progress is kept across the instances of one job (the job
// checkpoints continuously; a job is its instances' spotrun:job-id tag). It
// reports its phase, the time `run` started and the fraction done, as the
// real agent does. Once a job's work is done, the agent of a later instance
// of that job reports it done at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "cloud/cloud.h"
#include "policy/policy.h"
#include "sim/sim_clock.h"
#include "sim/trace.h"

namespace spotrun {

class TraceCloud : public Cloud {
 public:
  // The market of `trace` whose tick `tick_now` is `clock`'s time now.
  // `terms` gives the prices, the changeover and every job's work.
  TraceCloud(const Trace& trace, const JobTerms& terms, SimClock* clock, int64_t tick_now = 0);

  std::string Name() const override { return "trace"; }
  std::string DefaultRegion() const override { return "trace"; }
  Result<std::vector<Offer>> Offers(const std::string& region) override;
  Result<Instance> Launch(const LaunchRequest& request) override;
  Result<Instance> Describe(const std::string& instance_id) override;
  Status Terminate(const std::string& instance_id) override;
  Result<std::vector<Instance>> ListTagged(const std::map<std::string, std::string>& tags) override;
  Result<std::unique_ptr<Host>> HostFor(const Instance& instance) override;

  // The instance type of the one offer.
  static constexpr const char* kInstanceType = "trace.instance";

  const Trace& trace() const { return trace_; }
  const JobTerms& terms() const { return terms_; }
  SimClock* clock() const { return clock_; }
  // The clock's time at the start of `tick`.
  double TimeOfTick(int64_t tick) const;

  // Seconds of job `job_id`'s `run` done so far, over all its instances.
  double WorkDone(const std::string& job_id) const;
  // When that work was done (clock time); 0 while it is not.
  double FinishedAt(const std::string& job_id) const;

  // What the agent on `instance_id` does with one shell command (TraceHost).
  Result<int> AgentCommand(const std::string& instance_id, const std::string& command,
                           std::string* output);
  // What its agent's `serve` session answers a poll with (TraceHost).
  Result<std::string> AgentPoll(const std::string& instance_id);

 private:
  struct Work {
    double done_s = 0;
    double finished_at = 0;
  };
  struct Machine {
    Instance instance;
    Work* work = nullptr;  // Its job's (in work_, which never drops one).
    bool agent_started = false;
    bool agent_stopped = false;
    double run_from = 0;       // When `run` starts on it (launch + changeover).
    double worked_until = 0;   // Its work is counted up to here.
    int64_t checked_tick = 0;  // Spot availability is checked up to this tick.
  };
  int64_t TickAt(double t) const;
  // Brings `m` up to now: a spot instance the market took back ends, and
  // the work done on it is counted.
  void Update(Machine& m);
  void CountWork(Machine& m, double until);
  std::string PollOutput(const Machine& m) const;
  // The machine `instance_id` brought up to now, if it is there and alive.
  Result<Machine*> Reach(const std::string& instance_id);

  const Trace& trace_;
  JobTerms terms_;
  SimClock* clock_;
  double epoch_;  // The clock's time at tick 0.
  std::unordered_map<std::string, Machine> machines_;
  std::map<std::string, Machine*> by_id_;  // Ordered: ListTagged lists by id.
  std::unordered_map<std::string, std::string> by_token_;
  std::unordered_map<std::string, Work> work_;
  int launched_ = 0;
};

}  // namespace spotrun
