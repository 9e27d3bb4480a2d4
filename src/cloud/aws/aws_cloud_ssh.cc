// AwsCloud's SSH side: the source range allowed to reach port 22, the job's
// key, the instance bootstrap and the SshHost to an instance.
#include "cloud/aws/aws_cloud.h"
#include "util/cidr.h"

namespace spotrun::aws {

const char kInstanceBootstrap[] = R"(#!/bin/sh
# spotrun bootstrap: python3 runs the job's agent, rsync moves its files.
have() { command -v python3 >/dev/null 2>&1 && command -v rsync >/dev/null 2>&1; }
for try in 1 2 3 4 5 6 7 8 9 10; do
  have && exit 0
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q && apt-get install -y -q python3 rsync
  elif command -v dnf >/dev/null 2>&1; then
    dnf install -y python3 rsync
  elif command -v yum >/dev/null 2>&1; then
    yum install -y python3 rsync
  fi
  have || sleep 10  # The package manager may be busy with boot-time updates.
done
have
)";

const char kBootstrapReady[] = "command -v python3 >/dev/null && command -v rsync >/dev/null";

namespace {

constexpr const char* kPythonEnvMarker = "/var/lib/spotrun/python-env";

// Put before kInstanceBootstrap's body with ENV replaced. Wrappers, not
// symlinks: a venv's python finds its packages only when run by its own path.
constexpr const char* kPythonWrappers = R"(#!/bin/sh
# spotrun: python, python3, pip and torchrun in every shell are ENV's.
for tool in python python3 pip pip3 torchrun; do
  if [ -x ENV/bin/$tool ]; then
    printf '#!/bin/sh\nexec %s "$@"\n' ENV/bin/$tool > /usr/local/bin/$tool
    chmod 755 /usr/local/bin/$tool
  fi
done
mkdir -p /var/lib/spotrun && touch MARKER
)";

}  // namespace

std::string BootstrapFor(const std::string& python_env) {
  if (python_env.empty()) return kInstanceBootstrap;
  std::string script = kPythonWrappers;
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"ENV", python_env}, {"MARKER", kPythonEnvMarker}}) {
    for (size_t at = 0; (at = script.find(from, at)) != std::string::npos; at += to.size()) {
      script.replace(at, from.size(), to);
    }
  }
  const std::string rest = kInstanceBootstrap;
  return script + rest.substr(rest.find('\n') + 1);
}

std::string ReadyCommand(const std::string& python_env) {
  if (python_env.empty()) return kBootstrapReady;
  return std::string("test -e ") + kPythonEnvMarker + " && " + kBootstrapReady;
}

namespace {

std::string TagOf(const std::map<std::string, std::string>& tags, const char* key) {
  auto found = tags.find(key);
  return found == tags.end() ? "" : found->second;
}

std::string JobIdOf(const std::map<std::string, std::string>& tags) {
  return TagOf(tags, kTagJobId);
}

}  // namespace

Result<std::string> AwsCloud::SshCidr() {
  std::lock_guard<std::mutex> lock(cidr_mu_);
  if (options_.ssh_cidr.empty() && options_.find_ssh_cidr) {
    Result<std::string> found = options_.find_ssh_cidr();
    if (!found.ok()) return found.status();
    options_.ssh_cidr = *found;
  }
  const std::string& cidr = options_.ssh_cidr;
  if (cidr.empty()) {
    return InvalidArgument(
        "aws: launching needs the address allowed to reach SSH (port 22), "
        "e.g. 203.0.113.7/32");
  }
  if (IsWholeInternet(cidr)) {
    return InvalidArgument("aws: refusing to open SSH to the whole internet (" + cidr +
                           "); give your own address, e.g. 203.0.113.7/32");
  }
  if (!IsCidr(cidr)) {
    return InvalidArgument("aws: the SSH source '" + cidr +
                           "' is not a CIDR range such as 203.0.113.7/32");
  }
  return cidr;
}

Result<std::string> AwsCloud::PublicKeyFor(const LaunchRequest& request) {
  if (options_.ssh.jobs_dir.empty()) return options_.ssh_public_key;
  const std::string job = JobIdOf(request.tags);
  if (job.empty()) {
    return InvalidArgument("aws: a launch needs the " + std::string(kTagJobId) +
                           " tag to find the job's SSH key");
  }
  return EnsureJobKey(JobSshFiles::ForJob(options_.ssh.jobs_dir, job), job);
}

Result<std::unique_ptr<Host>> AwsCloud::HostFor(const Instance& instance) {
  if (options_.ssh.jobs_dir.empty()) {
    return Internal("aws: no SSH settings to reach " + instance.id + " with");
  }
  const std::string job = JobIdOf(instance.tags);
  if (job.empty()) {
    return InvalidArgument("aws: instance " + instance.id + " has no " + kTagJobId +
                           " tag, so its SSH key is unknown");
  }
  if (instance.address.empty() && !options_.ssh.target) {
    return Unavailable("aws: instance " + instance.id + " has no public address");
  }
  SshHostOptions base;
  const std::string user = TagOf(instance.tags, kTagSshUser);
  base.endpoint = {instance.address, 22, user.empty() ? options_.ssh_user : user};
  base.ready_timeout_s = options_.ssh_ready_timeout_s;
  base.ready_command = ReadyCommand(TagOf(instance.tags, kTagPythonEnv));
  auto host = MakeJobSshHost(options_.ssh, job, instance.id, std::move(base), clock_);
  if (!host.ok()) return host.status();
  return std::unique_ptr<Host>(std::move(host).value());
}

std::string AwsCloud::SelfTerminateCommand(const Instance& instance) const {
  if (!options_.ssh.target) return Cloud::SelfTerminateCommand(instance);
  return "echo 'spotrun: not shutting down " + options_.ssh.target->ToString() +
         ": SPOTRUN_SSH_TARGET may not be instance " + instance.id + "' >&2";
}

Status AwsCloud::CheckAccess(const std::string& region) {
  return ForRegion(region.empty() ? config_.region : region).status();
}

}  // namespace spotrun::aws
