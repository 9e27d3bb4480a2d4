// The sandbox of a local instance: a mount and PID namespace (bubblewrap) in
// which the host file system is read-only except the instance's home, venv and
// request directory; CPUs by affinity (so nproc shows what the job asked for);
// memory by a cgroup (v2 memory.max, else v1 memory.limit_in_bytes), else by
// RLIMIT_AS. Every process of the instance lives in the namespace: ending its
// init (host pid in the plan) ends them all, whatever their environment says.
// What this machine cannot provide is said, one line each (Plan::notices).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/status.h"

namespace spotrun {

// Written by `spotrun _local-terminate` inside the sandbox (relative to the
// instance directory); the instance's IMDS daemon then terminates it.
inline constexpr const char* kTerminateRequest = "requests/terminate";

enum class MemoryLimit { kNone, kCgroupV2, kCgroupV1, kAddressSpace };
const char* MemoryLimitName(MemoryLimit m);

struct SandboxPlan {
  std::string instance_dir;  // SPOTRUN_HOME/local/instances/<id>
  bool namespaces = false;   // false: commands run on the host (said in a notice)
  // Directories hidden from the job behind an empty tmpfs (SPOTRUN_HOME, the
  // caller's ~/.aws); /tmp is always private.
  std::vector<std::string> hidden;
  std::vector<std::string> devices;  // Bound into /dev (the machine's /dev/nvidia*).
  // Host directories the job may write (SPOTRUN_LOCAL_SHARE), bound over the rest.
  std::vector<std::string> shared;
  std::vector<int> cpu_list;   // Affinity; empty = every CPU.
  long long memory_bytes = 0;  // 0 = no limit.
  MemoryLimit memory = MemoryLimit::kNone;
  std::string cgroup;                // The instance's cgroup directory, when memory is a cgroup's.
  pid_t init_pid = 0;                // Host pid of the namespace's init, once started.
  pid_t keeper_pid = 0;              // Its one child at start (`sleep infinity`).
  std::string pid_ns;                // Its PID namespace ("pid:[4026532176]").
  std::vector<std::string> notices;  // What is not enforced here, and why.

  std::string Home() const { return instance_dir + "/home"; }
  std::string Venv() const { return instance_dir + "/venv"; }
  std::string Requests() const { return instance_dir + "/requests"; }
};

// The argv that starts the instance's namespace (its init waits forever):
// limits first, then bwrap.
std::vector<std::string> SandboxInitArgv(const SandboxPlan& plan);

// The argv that runs `command` inside the started sandbox, in `cwd`, under the
// same limits (nsenter into its namespaces). Without namespaces, `command`
// under the limits.
std::vector<std::string> SandboxEnterArgv(const SandboxPlan& plan, const std::string& cwd,
                                          const std::vector<std::string>& command);

// Plans the sandbox of the instance in `instance_dir` for `cpus` and
// `memory_gib` (0 = any) on this machine: probes bubblewrap, picks CPUs, makes
// the cgroup. `hidden`, `shared`: see SandboxPlan.
SandboxPlan PlanSandbox(const std::string& instance_dir, double cpus, double memory_gib,
                        std::vector<std::string> hidden, std::vector<std::string> shared);

// The directories of SPOTRUN_LOCAL_SHARE (`value`, colon-separated); each must
// be an absolute path to an existing directory (else kInvalidArgument).
Result<std::vector<std::string>> ParseSharedDirs(const std::string& value);

// Starts the planned sandbox (detached), fills init_pid and pid_ns, creates
// the venv, and saves the plan to instance_dir/sandbox.json.
Status StartSandbox(SandboxPlan* plan);

// Ends what a launch cut short (its process killed) left of the sandbox it was
// starting in `instance_dir`, if anything.
void AbandonSandbox(const std::string& instance_dir);

// The saved plan of an instance; kNotFound for an instance without one.
Result<SandboxPlan> LoadSandbox(const std::string& instance_dir);

// Host pids of the processes in the sandbox's PID namespace (none when it is
// not running).
std::vector<pid_t> SandboxProcesses(const SandboxPlan& plan);

// Ends the sandbox: SIGTERM to its processes, SIGKILL to its init after
// `grace_s` (the kernel then kills the rest); removes its cgroup.
void StopSandbox(const SandboxPlan& plan, double grace_s);

// True when this process runs inside the sandbox of `instance_dir`.
bool InsideSandbox(const std::string& instance_dir);

}  // namespace spotrun
