// LocalHost: the data plane of a local cloud instance. Commands run under
// /bin/sh in the instance's home inside its sandbox (sandbox.h: its namespaces
// and limits), in their own session; files move with rsync, honouring
// .gitignore and .spotrunignore like the SSH host does.
#pragma once

#include <map>
#include <string>

#include "remote/host.h"
#include "util/subprocess.h"

namespace spotrun {

// What an instance's commands start from: `caller` (empty = this process's
// environment) less the caller's AWS credentials and profiles.
std::map<std::string, std::string> InstanceBaseEnvironment(
    const std::map<std::string, std::string>& caller);

class LocalHost : public Host {
 public:
  // `env` is set for every command of the instance (its CUDA_VISIBLE_DEVICES).
  // `env`: set for every command (the instance's GPUs); `base_env`: what
  // commands start from (empty = this process's environment).
  LocalHost(std::string instance_id, std::string home, std::string imds_endpoint,
            std::map<std::string, std::string> env = {},
            std::map<std::string, std::string> base_env = {});

  Result<int> Run(const std::string& command, const RunOptions& options,
                  const OutputFn& on_output) override;
  Status Push(const std::string& local, const std::string& remote,
              const std::vector<std::string>& excludes) override;
  Status Pull(const std::string& remote, const std::string& local) override;
  Result<std::unique_ptr<HostSession>> OpenSession(const std::string& command) override;
  // A shell ($SHELL, else /bin/sh) or `/bin/sh -c COMMAND` in `remote_dir`
  // under the sandbox home, with the instance's environment; refuses
  // `ssh_options`.
  Result<ProcessOptions> AttachCommand(const std::string& remote_dir,
                                       const std::vector<std::string>& command,
                                       const std::vector<std::string>& ssh_options) const override;

 private:
  // Puts `p` in the instance: its environment (from base_env_, less the
  // caller's AWS credentials), its venv first on PATH, its sandbox and limits.
  void InInstance(ProcessOptions* p) const;
  // How Run starts `command`.
  ProcessOptions CommandOptions(const std::string& command,
                                const std::map<std::string, std::string>& env) const;
  std::string instance_id_;
  std::string home_;
  std::string imds_endpoint_;
  std::map<std::string, std::string> env_;
  std::map<std::string, std::string> base_env_;
};

}  // namespace spotrun
