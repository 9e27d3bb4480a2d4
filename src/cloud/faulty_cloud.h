// FaultyCloud: a Cloud wrapper that injects the faults a provider's control
// plane shows (leveldb's FaultInjectionTestEnv is the model): calls failing
// with a given code, throttling, an instance reclaimed at a given time with
// a notice, an instance that vanishes. Every call without a fault goes to the
// wrapped cloud unchanged; every host it hands out is wrapped in a
// FaultyHost (remote/faulty_host.h). Used by unit tests and fault drills
// over any Cloud (a fake, LocalCloud, TraceCloud).
//
// Call faults fire in the order queued, as FaultyHost's do: a call takes the
// front entry when the entry applies to its kind (kAny: every call), other
// calls pass through. An injected failure does not reach the wrapped cloud.
//
// Time faults (Reclaim, Vanish) are checked against `clock` at every call,
// the calls of the hosts included: the wrapper has no timers, so a reclaim
// "at T" happens at the first call at or after T.
// Not thread-safe: one caller at a time.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cloud/cloud.h"
#include "remote/faulty_host.h"
#include "util/clock.h"

namespace spotrun {

enum class CloudCall { kAny, kOffers, kLaunch, kDescribe, kTerminate, kListTagged, kHostFor };
const char* CloudCallName(CloudCall call);  // "any", "offers", "launch", ...

// What EC2 says when it takes a spot instance back (Instance::state_reason).
inline constexpr const char* kSpotReclaimReason =
    "Server.SpotInstanceTermination: Spot instance termination";

class FaultyCloud : public Cloud {
 public:
  // `base` and `clock` are not owned and must outlive the wrapper. `log`,
  // when not null, gets one line per injected fault ("fault: reclaim i-1"),
  // so that a fake's record reads the faults in order with the calls; the
  // hosts write theirs there too.
  FaultyCloud(Cloud* base, const Clock* clock, std::vector<std::string>* log = nullptr);

  // Queues `n` failures with `error` for the next calls of kind `call`.
  // REQUIRES: !error.ok().
  void FailNext(CloudCall call, int n, Status error);
  // Queues `n` throttling errors for calls of kind `call`: kUnavailable
  // "RequestLimitExceeded", as the EC2 client returns once its own retries
  // are spent.
  void Throttle(CloudCall call, int n);
  // The provider takes `instance_id` back at `at` (clock seconds). From
  // `at - notice_s` the notice is delivered once, through deliver_notice
  // (none when notice_s is 0 or deliver_notice is null). From `at`, the
  // instance is terminated in the wrapped cloud; Describe reports it
  // terminated at `at` with kSpotReclaimReason; its hosts fail every call
  // with kUnavailable. An instance terminated before `at` is left alone; one
  // not launched yet is taken at the first call after its launch.
  void Reclaim(const std::string& instance_id, double at, double notice_s = 120);
  // From `at` on, `instance_id` is gone without notice or trace: it is
  // terminated in the wrapped cloud, Describe fails with kNotFound,
  // ListTagged leaves it out, and its hosts fail every call with kUnavailable.
  void Vanish(const std::string& instance_id, double at);

  // How a notice reaches an instance (LocalCloud::SendInterruptionNotice,
  // FakeCloud::SendNotice): called with the instance and the reclaim time.
  std::function<Status(const std::string& instance_id, double action_at)> deliver_notice;
  // Called with every host handed out, already wrapped, so that a test can
  // queue host faults (an SSH drop, a full disk) for that instance.
  std::function<void(const Instance&, FaultyHost*)> on_host;

  int calls() const { return calls_; }        // Calls made, faulted or not.
  int injected() const { return injected_; }  // Call faults that fired.
  int pending() const { return static_cast<int>(queue_.size()); }

  std::string Name() const override { return base_->Name(); }
  std::string DefaultRegion() const override { return base_->DefaultRegion(); }
  std::vector<std::string> Regions() const override { return base_->Regions(); }
  Result<std::vector<Offer>> Offers(const std::string& region) override;
  Result<Instance> Launch(const LaunchRequest& request) override;
  Result<Instance> Describe(const std::string& instance_id) override;
  Status Terminate(const std::string& instance_id) override;
  Result<std::vector<Instance>> ListTagged(const std::map<std::string, std::string>& tags) override;
  Result<std::unique_ptr<Host>> HostFor(const Instance& instance) override;
  std::string SelfTerminateCommand(const Instance& instance) const override {
    return base_->SelfTerminateCommand(instance);
  }
  Status ReleaseJob(const std::string& job_id) override { return base_->ReleaseJob(job_id); }

 private:
  struct Entry {
    CloudCall call;
    Status error;
  };
  struct Scheduled {
    double at = 0;
    double notice_s = 0;
    bool vanish = false;
    bool noticed = false;
    bool taken = false;       // The reclaim (or vanishing) has happened.
    bool given_back = false;  // Terminated through the wrapper before that.
  };
  // Brings the time faults up to the clock, then takes the call's fault
  // from the queue (OK when none). `subject` names the call in the log.
  Status Take(CloudCall call, const std::string& subject);
  void CatchUp();
  void Note(const std::string& line);
  // kUnavailable when `instance_id` has been taken back or vanished.
  Status Reachable(const std::string& instance_id) const;

  Cloud* base_;
  const Clock* clock_;
  std::vector<std::string>* log_;
  std::deque<Entry> queue_;
  std::map<std::string, Scheduled> scheduled_;  // By instance id.
  int calls_ = 0;
  int injected_ = 0;
};

}  // namespace spotrun
