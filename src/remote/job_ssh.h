// A job's SSH files, named once here: the key pair spotrun logs in with (made
// with ssh-keygen, ed25519, no passphrase) and the known_hosts file that pins
// the host keys of the job's instances, in SPOTRUN_HOME/jobs/<job id>/ssh/;
// and how clouds build the SshHost of a job's instance from them.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "remote/ssh_host.h"
#include "util/status.h"

namespace spotrun {

struct JobSshFiles {
  std::string dir;  // <jobs dir>/<job id>/ssh, mode 0700.

  std::string private_key() const { return dir + "/id_ed25519"; }
  std::string public_key() const { return dir + "/id_ed25519.pub"; }
  std::string known_hosts() const { return dir + "/known_hosts"; }

  static JobSshFiles ForJob(const std::string& jobs_dir, const std::string& job_id);
};

// The job's public key line ("ssh-ed25519 AAAA... spotrun-<job id>"), making
// the key pair first when it does not exist yet. Fails with kInternal when
// ssh-keygen is missing or fails. Safe to call again; the key never changes.
Result<std::string> EnsureJobKey(const JobSshFiles& files, const std::string& job_id);

// How a cloud reaches its instances over SSH; set by the CLI from the
// environment.
struct JobSshSettings {
  std::string jobs_dir;     // SPOTRUN_HOME/jobs: where JobSshFiles live.
  std::string control_dir;  // SshHostOptions::control_dir (see SshControlDir).
  // SPOTRUN_SSH_TARGET: every host is reached here instead of the address the
  // cloud reports (a user given there replaces the cloud's login user).
  std::optional<SshEndpoint> target;
  bool progress = false;  // rsync progress on the terminal (stdout is a tty).
};

// The SshHost of instance `instance_id` of job `job_id`: `base` (endpoint,
// host key, timeouts, ready command: the cloud's part) completed with the
// job's key (made when missing), its known_hosts, the instance id as host key
// alias, the control directory, the progress setting and the target override.
// `clock` (not owned) must outlive the host.
Result<std::unique_ptr<SshHost>> MakeJobSshHost(const JobSshSettings& settings,
                                                const std::string& job_id,
                                                const std::string& instance_id, SshHostOptions base,
                                                Clock* clock);

}  // namespace spotrun
