// The local cloud's SSH mode (SPOTRUN_LOCAL_SSH=1, docs/local-cloud.md): each
// instance also runs OpenSSH's sshd, unprivileged, as the current user, on a
// loopback port, so that the job's data plane goes over real SSH and rsync
// exactly as on a cloud. Its files sit in the instance's sandbox, beside home/:
//
//   sshd/host_ed25519_key{,.pub}  the instance's host key (pinned by the client)
//   sshd/authorized_keys          the job's public key, the only one accepted
//   sshd/sshd_config              publickey only, no PAM, StrictModes off, SetEnv
//   sshd/session.sh               ForceCommand: cd to the sandbox home, run the command
//   sshd/port                     the loopback port, written once it listens
//   sshd/sshd.log, daemon.log     sshd's and the listener's logs
//
// Sessions get HOME = the sandbox home, SPOTRUN_LOCAL_INSTANCE, the IMDS
// endpoint and this process's PATH, like LocalHost's commands. The listener
// (`spotrun _sshd DIR SSHD`) carries SPOTRUN_LOCAL_INSTANCE, starts `sshd -i` per
// connection, adopts every orphaned descendant (a child subreaper) and ends
// them all when it is terminated or the instance is.
#pragma once

#include <memory>
#include <string>

#include "cloud/cloud.h"
#include "remote/job_ssh.h"
#include "util/clock.h"

namespace spotrun {

// Makes the job's key (JobSshFiles of the instance's spotrun:job-id tag) if
// needed, writes the files above and starts the listener; returns once it
// accepts connections. REQUIRES: the instance's IMDS endpoint is up.
// kInternal when sshd or ssh-keygen is missing or fails (the message says what
// to install). When running as root, creates sshd's privilege separation
// directory /run/sshd if it is missing.
Status StartLocalSshd(const Instance& instance, const std::string& instance_dir,
                      const JobSshSettings& settings, const std::string& spotrun_bin);

// True when the instance in `instance_dir` was started in SSH mode.
bool HasLocalSshd(const std::string& instance_dir);
// OpenSSH's sshd on this machine; an error naming the package without one.
Result<std::string> FindSshd();

// The SshHost of a local instance started in SSH mode: 127.0.0.1 and its
// port, logging in as the current user, its host key pinned.
Result<std::unique_ptr<Host>> LocalSshHostFor(const std::string& instance_dir,
                                              const Instance& instance,
                                              const JobSshSettings& settings, Clock* clock);

// The listener behind `spotrun _sshd DIR SSHD`: serves each connection to
// its loopback port with `SSHD -i`, until SIGTERM or until the instance is
// terminated; then ends every process it started or adopted. Returns the
// exit status.
int RunSshdDaemon(const std::string& instance_dir, const std::string& sshd);

}  // namespace spotrun
