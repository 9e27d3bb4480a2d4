// LocalCloud: the built-in cloud that needs no account. An instance is a
// sandbox directory with its own home under SPOTRUN_HOME/local/instances/<id>,
// its processes in its sandbox (sandbox.h), its daemons (IMDS, sshd) tagged
// with SPOTRUN_LOCAL_INSTANCE=<id>, and an IMDSv2 endpoint
// on loopback. It stands in for a catalog instance type and bills per second at
// that type's spot or on-demand price. It offers only the types this machine
// can run (machine.h) and gives each instance its own GPUs
// (gpu_allocation.h). Layout: docs/local-cloud.md.
#pragma once

#include <memory>
#include <string>

#include "cloud/cloud.h"
#include "cloud/local/machine.h"
#include "cloud/local/market.h"
#include "remote/job_ssh.h"
#include "util/clock.h"

namespace spotrun {

struct LocalCloudOptions {
  std::string root;          // SPOTRUN_HOME/local
  std::string spotrun_bin;   // This binary: runs the IMDS endpoint (`spotrun _imds`).
  MachineCapacity capacity;  // What the instances share; GPUs are handed out whole.
  // SSH mode (SPOTRUN_LOCAL_SSH=1): each instance also runs sshd on a loopback
  // port and HostFor gives an SshHost (cloud/local/local_sshd.h).
  bool ssh = false;
  JobSshSettings ssh_settings;  // Keys, control sockets and target of the SshHosts.
  // The environment the instances' commands start from (the submitting
  // command's); empty = this process's.
  std::map<std::string, std::string> instance_env;
};

class LocalCloud : public Cloud {
 public:
  LocalCloud(LocalCloudOptions options, Clock* clock);

  std::string Name() const override { return "local"; }
  std::string DefaultRegion() const override { return "us-east-1"; }
  Result<std::vector<Offer>> Offers(const std::string& region) override;
  // Every region of the bundled catalog, us-east-1 first: the local cloud
  // prices its instances as AWS's snapshot does there.
  std::vector<std::string> Regions() const override;
  Result<Instance> Launch(const LaunchRequest& request) override;
  Result<Instance> Describe(const std::string& instance_id) override;
  Status Terminate(const std::string& instance_id) override;
  Result<std::vector<Instance>> ListTagged(const std::map<std::string, std::string>& tags) override;
  Result<std::unique_ptr<Host>> HostFor(const Instance& instance) override;
  std::string SelfTerminateCommand(const Instance& instance) const override;

  // Sandbox of an instance (its home is InstanceDir(id) + "/home").
  std::string InstanceDir(const std::string& id) const;
  // Delivers a spot interruption notice through the instance's IMDS
  // (spot/instance-action) for action time `action_at`.
  Status SendInterruptionNotice(const std::string& id, double action_at);
  // Takes the instance back as EC2 does (state reason Server.SpotInstanceTermination).
  Status Preempt(const std::string& id);
  // Where `spotrun launch` puts the job's simulated spot market (market.h).
  std::string MarketPlanPath(const std::string& job_id) const;

 private:
  Status CheckCapacity(const LaunchRequest& request) const;
  Result<Offer> FindOffer(const LaunchRequest& request);
  // Creates the sandbox of a new instance `id` holding the offer's GPUs.
  Status CreateSandbox(const std::string& id, const Offer& offer);
  Status StartImds(const std::string& id);
  // Starts the instance's sandbox and IMDS daemon, those not yet started.
  Status StartDaemons(Instance& inst, const LaunchRequest& r,
                      const std::vector<std::string>& shared);
  // A launch again with the token of instance `id`: it, finished starting.
  Result<Instance> Resume(const std::string& id, const LaunchRequest& r,
                          const std::vector<std::string>& shared);
  // What the sandbox hides from the job (sandbox.h).
  std::vector<std::string> HiddenPaths() const;
  Status SaveInstance(const Instance& instance);
  Status TerminateWithReason(const std::string& id, const std::string& reason);
  Result<std::optional<PreemptSchedule>> DrawSchedule(const LaunchRequest& request);

  LocalCloudOptions options_;
  Clock* clock_;
};

// Kills every process carrying SPOTRUN_LOCAL_INSTANCE=<id> in its environment
// (SIGTERM, then SIGKILL after `grace_s`): the instance's daemons outside its
// sandbox, and its commands where it has none. Returns how many were found.
int KillInstanceProcesses(const std::string& id, double grace_s);

// Runs the IMDS endpoint of the instance in `instance_dir` until the instance
// is terminated (used by `spotrun _imds`). Writes the port to instance_dir/imds.port.
int RunImdsDaemon(const std::string& instance_dir);

// `spotrun _local-terminate DIR`: an instance terminating itself (the agent's
// dead man's switch); DIR is its sandbox directory.
int TerminateLocalInstance(const std::string& instance_dir);

}  // namespace spotrun
