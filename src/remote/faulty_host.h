// FaultyHost: a Host wrapper that injects the faults an instance's data plane
// shows (leveldb's FaultInjectionTestEnv is the model): a dropped SSH
// connection, a transfer cut off halfway, a full disk. Every call without a
// fault goes to the wrapped host unchanged. Used by unit tests, and by
// FaultyCloud (cloud/faulty_cloud.h) for every host it hands out.
//
// Faults fire in the order they were queued. A call takes the front entry of
// the queue when the entry applies to the call's kind (kAny applies to every
// call); a call the front entry does not apply to passes through and leaves
// the queue as it is. An entry may also be a pass: the call goes through and
// the entry is used up (DropAfter counts calls that way).
//
// The failures look like SshHost's once its own retries are spent: every one
// is kUnavailable, with rsync's exit code and last line for transfers.
// Not thread-safe: one caller at a time.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "remote/host.h"

namespace spotrun {

enum class HostCall { kAny, kRun, kPush, kPull };
const char* HostCallName(HostCall call);  // "any", "run", "push", "pull"

enum class HostFault {
  kPass,  // No fault: the call goes through (counts a call for DropAfter).
  // The connection drops before the call reaches the host: nothing is done.
  kDrop,
  // The connection drops halfway. Push/Pull: the first half of the files (in
  // path order, whole files as rsync leaves them) arrive, the rest do not.
  // Run: the command runs on the host but its output and exit status are lost.
  kCutHalfway,
  // Push/Pull only: the receiving disk fills up halfway; the first half of
  // the files arrive, as with kCutHalfway, and rsync reports "No space left
  // on device".
  kDiskFull,
};

class FaultyHost : public Host {
 public:
  // Owns `base`. `log`, when not null, gets one line per injected fault
  // ("fault: drop push spotrun/j/workdir"), so that a fake's record reads
  // the faults in order with the calls; it must outlive the wrapper.
  explicit FaultyHost(std::unique_ptr<Host> base, std::vector<std::string>* log = nullptr);

  // Queues `n` entries of `fault` for the next calls of kind `call`.
  // REQUIRES: kDiskFull is queued for kPush or kPull only.
  void FailNext(HostCall call, int n, HostFault fault);
  // After `k` more calls (any kind) went through, the connection drops for
  // the `n` calls that follow (a reconnect then succeeds).
  void DropAfter(int k, int n = 1);
  // Called before every call; a non-OK Status fails the call with that
  // Status, untouched by the queue (FaultyCloud: the instance is gone).
  void SetGate(std::function<Status()> gate) { gate_ = std::move(gate); }

  int calls() const { return calls_; }        // Calls made, faulted or not.
  int injected() const { return injected_; }  // Faults that fired (passes not counted).
  int pending() const { return static_cast<int>(queue_.size()); }

  void SetStop(std::function<bool()> stop) override { base_->SetStop(std::move(stop)); }
  Result<int> Run(const std::string& command, const RunOptions& options,
                  const OutputFn& on_output) override;
  Status Push(const std::string& local, const std::string& remote,
              const std::vector<std::string>& excludes) override;
  Status Pull(const std::string& remote, const std::string& local) override;
  Result<ProcessOptions> AttachCommand(const std::string& remote_dir,
                                       const std::vector<std::string>& command,
                                       const std::vector<std::string>& ssh_options) const override {
    return base_->AttachCommand(remote_dir, command, ssh_options);
  }

 private:
  struct Entry {
    HostCall call;
    HostFault fault;
  };
  // Counts the call and takes its fault from the queue (kPass when none).
  HostFault Take(HostCall call);
  void Note(const std::string& line);
  // The error a transfer cut short by `fault` ends with; `moved` is how
  // many files of how many arrived.
  Status TransferFailure(HostFault fault, HostCall call, const std::string& what,
                         const std::string& receiver, const std::string& subject,
                         std::pair<int, int> moved);
  // Move the first half of the files; return how many of how many arrived.
  Result<std::pair<int, int>> PushHalf(const std::string& local, const std::string& remote,
                                       const std::vector<std::string>& excludes);
  Result<std::pair<int, int>> PullHalf(const std::string& remote, const std::string& local);

  std::unique_ptr<Host> base_;
  std::vector<std::string>* log_;
  std::function<Status()> gate_;
  std::deque<Entry> queue_;
  int calls_ = 0;
  int injected_ = 0;
};

}  // namespace spotrun
