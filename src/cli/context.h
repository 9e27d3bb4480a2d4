// The context every command works in: SPOTRUN_HOME, the state store, the clock
// and the clouds. Built once in main and passed down; no globals.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "cloud/cloud.h"
#include "cloud/object_store.h"
#include "remote/job_ssh.h"
#include "spec/job_spec.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/http_client.h"

namespace spotrun {

// What a job tells the cloud factory.
struct CloudParams {
  std::string region;    // The job's region; "" = the cloud's default.
  std::string ssh_cidr;  // aws: the job file's ssh_cidr; SPOTRUN_SSH_CIDR beats it.
  // aws: make one read-only call now, so that bad credentials fail before
  // anything is stored or launched.
  bool check_access = false;
};

// The CloudParams of a job file.
CloudParams CloudParamsFor(const JobSpec& spec);

struct CliContext {
  std::string home;      // SPOTRUN_HOME, default ~/.spotrun
  std::string self_exe;  // This binary, for detached controllers and the IMDS daemon.
  std::unique_ptr<Store> store;
  RealClock clock;
  // The process environment, read once at startup: AWS settings and the
  // SPOTRUN_LOCAL_SSH, SPOTRUN_SSH_TARGET and SPOTRUN_SSH_CIDR switches.
  std::map<std::string, std::string> env;
  bool stdout_tty = false;           // Shows rsync progress when true.
  std::unique_ptr<HttpClient> http;  // Made by the first cloud that needs it.

  std::string jobs_dir() const { return home + "/jobs"; }
  // The cloud named `name` ("local" or "aws"). Fails with kInvalidArgument
  // for an unknown name or a malformed SPOTRUN_* value, and for aws with
  // what LoadAwsConfig (and CloudParams::check_access) report.
  Result<std::unique_ptr<Cloud>> MakeCloud(const std::string& name, const CloudParams& params = {});
  // The cloud of a stored job: its region from its latest attempt (else its
  // job file), its ssh_cidr from its job file.
  Result<std::unique_ptr<Cloud>> MakeCloudForJob(const JobRecord& job);
  // How SshHosts of this context connect (keys, control sockets,
  // SPOTRUN_SSH_TARGET, progress).
  Result<JobSshSettings> SshSettings();
};

// The aws cloud (cli/aws_context.cc).
Result<std::unique_ptr<Cloud>> MakeAwsCloud(CliContext& ctx, const CloudParams& params);

// The object store behind a job's checkpoint.store (an S3 prefix, with the
// job's id appended), and what keeps it alive.
class CheckpointMirrorHandle {
 public:
  virtual ~CheckpointMirrorHandle() = default;
  virtual ObjectStore* store() = 0;
};
// Null when the job has no checkpoint.store.
Result<std::unique_ptr<CheckpointMirrorHandle>> MakeCheckpointMirror(CliContext& ctx,
                                                                     const JobSpec& spec,
                                                                     const std::string& job_id);

// Terminates this owner's leftover AWS instances and deletes their key pairs
// and security groups (jobs over or unknown to the store) when AWS settings
// are present, and either `thorough` or the last such sweep
// (SPOTRUN_HOME/aws-sweep) is 10 minutes old; silent without AWS settings,
// and about its own failures unless `thorough` (cli/aws_context.cc).
void SweepAwsOrphans(CliContext& ctx, bool thorough);

// Prints why a job lookup (Store::GetJob) failed, on one line, and returns the
// exit status: 2 when the store knows no such job (the user's mistake), 1 when
// the store itself failed.
int JobLookupFailed(const Status& status);

// Opens SPOTRUN_HOME and (unless !with_store) its state store.
Result<std::unique_ptr<CliContext>> OpenContext(bool with_store = true);

// `spotrun down --all` when the state store cannot be opened: terminates
// every spotrun-tagged instance of this SPOTRUN_HOME's local cloud and of
// this AWS owner, found by tags alone; 0 when every one went
// (cli/orphan_sweep.cc). REQUIRES: ctx.store is null.
int DownAllByTags(CliContext& ctx);

// True when the process that drives `job` is alive.
bool ControllerAlive(const JobRecord& job);

// Picks up what a dead controller left behind: when an unfinished job has no
// live controller, the home's controller is started (EnsureController), and
// it re-attaches to the job's instance or relaunches; then spotrun-tagged instances
// whose job the store says is over, or does not know though it is older than
// the instance, are terminated (and, on AWS, their key pairs and security
// groups: SweepAwsOrphans, every 10 minutes at most unless `thorough`).
// `thorough` (`down --all`) also ends instances older than the store.
// A read-only store, or one that fails to answer, sweeps nothing (one line
// says so). Prints one line per action to stderr. Errors are reported, not
// fatal (cli/orphan_sweep.cc).
void SweepOrphans(CliContext& ctx, bool thorough = false);

// Terminates the instances of `job`'s open attempts and closes their billing.
Status TerminateJobInstances(CliContext& ctx, const JobRecord& job, const std::string& outcome);

}  // namespace spotrun
