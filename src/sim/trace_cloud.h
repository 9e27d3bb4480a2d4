// TraceCloud: a Cloud whose spot market is a trace, for replaying a job
// through the real controller (sim/replay.h). One region ("trace"), one zone
// (the trace's name) and one instance type, spot and on-demand, at the
// prices of the job's terms. Time is the replay's SimClock.
//
// The market (the model of policy/policy.h):
//   - a spot launch fails with kCapacity at a tick where the trace has no
//     spot; on-demand launches always succeed;
//   - a spot instance is taken back, with no notice, at the start of the
//     first tick after its launch where the trace has no spot; its state
//     reason is then "Server.SpotInstanceTermination";
//   - instances run from their launch (boot is part of the changeover) and
//     bill until they end, per second.
//
// The agent on its instances (TraceHost) spends the changeover `overhead_s`
// after the launch in setup, then runs `run`, which needs `work_s` seconds
// in all: progress is kept across instances (the job checkpoints
// continuously). It reports its phase, the time `run` started and the
// fraction done, as the real agent does. Once the work is done, the agent of
// a later instance reports the job done at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cloud/cloud.h"
#include "policy/policy.h"
#include "sim/sim_clock.h"
#include "sim/trace.h"

namespace spotrun {

class TraceCloud : public Cloud {
 public:
  // The job starts at `start_tick` of `trace` when `clock` reads its epoch.
  // `terms` gives the prices, the changeover and the work.
  TraceCloud(const Trace& trace, int64_t start_tick, const JobTerms& terms, SimClock* clock);

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

  // Seconds of `run` done so far, over all instances.
  double work_done_s() const { return done_s_; }
  // When the work was done (clock time); 0 while it is not.
  double finished_at() const { return finished_at_; }

  // What the agent on `instance_id` does with one shell command (TraceHost).
  Result<int> AgentCommand(const std::string& instance_id, const std::string& command,
                           std::string* output);

 private:
  struct Machine {
    Instance instance;
    bool agent_started = false;
    bool agent_stopped = false;
    double run_from = 0;       // When `run` starts on it (launch + changeover).
    double worked_until = 0;   // Its work is counted up to here.
    int64_t checked_tick = 0;  // Spot availability is checked up to this tick.
  };
  int64_t TickAt(double t) const;
  double TimeOfTick(int64_t tick) const;
  // Brings `m` up to now: a spot instance the market took back ends, and
  // the work done on it is counted.
  void Update(Machine& m);
  void CountWork(Machine& m, double until);
  std::string PollOutput(const Machine& m) const;

  const Trace& trace_;
  int64_t start_tick_;
  JobTerms terms_;
  SimClock* clock_;
  double epoch_;
  std::map<std::string, Machine> machines_;
  std::map<std::string, std::string> by_token_;
  int launched_ = 0;
  double done_s_ = 0;
  double finished_at_ = 0;
};

}  // namespace spotrun
