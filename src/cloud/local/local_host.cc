#include "cloud/local/local_host.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "cloud/local/market.h"
#include "cloud/local/sandbox.h"
#include "remote/rsync.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace spotrun {
namespace {

// rsync copies a directory's contents when the source ends in '/'.
std::string AsSource(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec) && path.back() != '/') return path + "/";
  return path;
}

Status RunRsync(std::vector<std::string> args, const std::string& what,
                const std::function<bool()>& stop) {
  std::string output;
  ProcessOptions p;
  p.argv = std::move(args);
  p.stop = stop;
  auto rc = RunCapture(p, &output, 600);
  if (!rc.ok()) return rc.status();
  if (*rc != 0) {
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return Unavailable(what + " failed (rsync exit " + std::to_string(*rc) + "): " + output);
  }
  return Status::Ok();
}

// `path` below the instance's `home` with every link in it resolved; an error
// when that leads outside the home (a job that replaced its output directory,
// or a directory on the way, by a link to a host directory): the transfers
// run on the host, outside the sandbox, so they must not follow it.
Result<std::string> InsideHome(const std::string& home, const std::string& path,
                               const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string base = fs::weakly_canonical(home, ec).string();
  const std::string real = fs::weakly_canonical(path, ec).string();
  if (ec || base.empty() || (real != base && real.rfind(base + "/", 0) != 0)) {
    return InvalidArgument(what + " leads outside the instance's home (to " + real +
                           "); not followed");
  }
  return real;
}

// The caller's AWS credentials and profiles: an instance has none of its own
// but what the job's `envs` give it.
bool IsAwsCredential(const std::string& key) {
  static const char* const kKeys[] = {"AWS_ACCESS_KEY_ID",
                                      "AWS_SECRET_ACCESS_KEY",
                                      "AWS_SESSION_TOKEN",
                                      "AWS_SECURITY_TOKEN",
                                      "AWS_CREDENTIAL_EXPIRATION",
                                      "AWS_PROFILE",
                                      "AWS_DEFAULT_PROFILE",
                                      "AWS_SHARED_CREDENTIALS_FILE",
                                      "AWS_CONFIG_FILE",
                                      "AWS_WEB_IDENTITY_TOKEN_FILE",
                                      "AWS_ROLE_ARN",
                                      "AWS_ROLE_SESSION_NAME"};
  for (const char* k : kKeys)
    if (key == k) return true;
  return key.rfind("AWS_CONTAINER_", 0) == 0;
}

}  // namespace

std::map<std::string, std::string> InstanceBaseEnvironment(
    const std::map<std::string, std::string>& caller) {
  std::map<std::string, std::string> env = caller;
  if (env.empty()) {
    for (char** e = environ; *e; ++e) {
      std::string var = *e;
      size_t eq = var.find('=');
      if (eq != std::string::npos) env[var.substr(0, eq)] = var.substr(eq + 1);
    }
  }
  for (auto it = env.begin(); it != env.end();) {
    it = IsAwsCredential(it->first) ? env.erase(it) : std::next(it);
  }
  return env;
}

LocalHost::LocalHost(std::string instance_id, std::string home, std::string imds_endpoint,
                     std::map<std::string, std::string> env,
                     std::map<std::string, std::string> base_env)
    : instance_id_(std::move(instance_id)),
      home_(std::move(home)),
      imds_endpoint_(std::move(imds_endpoint)),
      env_(std::move(env)),
      base_env_(std::move(base_env)) {}

Result<int> LocalHost::Run(const std::string& command, const RunOptions& options,
                           const OutputFn& on_output) {
  if (!PathExists(home_)) return Unavailable("local instance " + instance_id_ + " is gone");
  ProcessOptions p = CommandOptions(command, options.env);
  p.stop = stop_;
  return RunProcess(p, on_output, options.timeout_s);
}

ProcessOptions LocalHost::CommandOptions(const std::string& command,
                                         const std::map<std::string, std::string>& env) const {
  ProcessOptions p;
  p.argv = {"/bin/sh", "-c", command};
  p.cwd = home_;
  p.new_session = true;
  p.env = env;
  p.env["SPOTRUN_IMDS_POLL_SECONDS"] = std::to_string(kLocalImdsPollSeconds);
  InInstance(&p);
  return p;
}

void LocalHost::InInstance(ProcessOptions* p) const {
  p->base_env = InstanceBaseEnvironment(base_env_);
  p->env.insert(env_.begin(), env_.end());
  p->env["HOME"] = home_;
  p->env["SPOTRUN_LOCAL_INSTANCE"] = instance_id_;
  p->env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds_endpoint_;
  auto sandbox = LoadSandbox(std::filesystem::path(home_).parent_path().string());
  if (!sandbox.ok()) return;  // An instance from before sandboxes.
  if (PathExists(sandbox->Venv() + "/bin/python3")) {
    // pip installs into the instance's venv, whose python comes first.
    auto path = p->base_env->find("PATH");
    p->env["PATH"] =
        sandbox->Venv() + "/bin" +
        (path == p->base_env->end() ? ":/usr/local/bin:/usr/bin:/bin" : ":" + path->second);
    p->env["VIRTUAL_ENV"] = sandbox->Venv();
  }
  p->argv = SandboxEnterArgv(*sandbox, p->cwd.empty() ? home_ : p->cwd, p->argv);
}

Result<std::unique_ptr<HostSession>> LocalHost::OpenSession(const std::string& command) {
  if (!PathExists(home_)) return Unavailable("local instance " + instance_id_ + " is gone");
  return ProcessSession::Start(CommandOptions(command, {}));
}

Status LocalHost::Push(const std::string& local, const std::string& remote,
                       const std::vector<std::string>& excludes) {
  auto inside = InsideHome(home_, home_ + "/" + remote, remote);
  if (!inside.ok()) return inside.status();
  std::string dest = *inside;
  std::error_code ec;
  bool is_dir = std::filesystem::is_directory(local, ec);
  SPOTRUN_RETURN_IF_ERROR(
      MakeDirs(is_dir ? dest : std::filesystem::path(dest).parent_path().string()));
  auto args = RsyncPushOptions(excludes);
  args.push_back(AsSource(local));
  args.push_back(is_dir ? dest + "/" : dest);
  return RunRsync(args, "upload of " + local, stop_);
}

Status LocalHost::Pull(const std::string& remote, const std::string& local) {
  if (!PathExists(home_ + "/" + remote)) {
    return NotFound("no " + remote + " on instance " + instance_id_);
  }
  auto inside = InsideHome(home_, home_ + "/" + remote, remote);
  if (!inside.ok()) return inside.status();
  std::string src = *inside;
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(local));
  auto args = RsyncPullOptions();
  args.push_back(AsSource(src));
  args.push_back(local + "/");
  return RunRsync(args, "download of " + remote, stop_);
}

Result<ProcessOptions> LocalHost::AttachCommand(const std::string& remote_dir,
                                                const std::vector<std::string>& command,
                                                const std::vector<std::string>& ssh_options) const {
  if (!ssh_options.empty()) {
    return InvalidArgument("OpenSSH options (" + ssh_options.front() +
                           ") need an instance reached over SSH; this local instance is not "
                           "(launch with SPOTRUN_LOCAL_SSH=1)");
  }
  if (!PathExists(home_)) return Unavailable("local instance " + instance_id_ + " is gone");
  ProcessOptions p;
  const char* shell = getenv("SHELL");
  p.argv = {shell && *shell ? shell : "/bin/sh"};
  if (!command.empty()) {
    std::string joined;
    for (const auto& word : command) joined += (joined.empty() ? "" : " ") + word;
    p.argv = {"/bin/sh", "-c", joined};
  }
  p.cwd = remote_dir.empty() ? home_ : home_ + "/" + remote_dir;
  InInstance(&p);
  return p;
}

}  // namespace spotrun
