#include "cloud/local/local_sshd.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include "cloud/local/gpu_allocation.h"
#include "cloud/local/sandbox.h"
#include "remote/job_ssh.h"
#include "util/encoding.h"
#include "util/fs.h"
#include "util/subprocess.h"
#include "util/task_loop.h"

namespace spotrun {
namespace {

// The session script: in the sandbox home, inside the instance's sandbox
// (sandbox.h) when it has one.
std::string SessionScript(const std::string& instance_dir) {
  std::string enter;
  if (auto plan = LoadSandbox(instance_dir); plan.ok()) {
    for (const auto& word : SandboxEnterArgv(*plan, plan->Home(), {})) {
      enter += ShellQuote(word) + " ";
    }
  }
  return "# spotrun local instance: every session starts in the sandbox home.\n"
         "cd \"$HOME\" || exit 1\n"
         "if [ -n \"${SSH_ORIGINAL_COMMAND+x}\" ]; then\n"
         "  command=$SSH_ORIGINAL_COMMAND\n"
         "  unset SSH_ORIGINAL_COMMAND\n"
         "  exec " +
         enter +
         "/bin/sh -c \"$command\"\n"
         "fi\n"
         "exec " +
         enter + "\"${SHELL:-/bin/sh}\"\n";
}

// What the sshd of one instance is made from.
struct SshdParams {
  std::string instance_id;
  std::string instance_dir;
  std::string public_key;                  // The job's key line.
  std::string imds_endpoint;               // "http://127.0.0.1:PORT/"
  std::map<std::string, std::string> env;  // The instance's own (CUDA_VISIBLE_DEVICES).
};

std::string SshdDir(const std::string& instance_dir) { return instance_dir + "/sshd"; }

std::string JobOf(const Instance& instance) {
  auto job = instance.tags.find(kTagJobId);
  return job == instance.tags.end() ? instance.id : job->second;
}

std::string CurrentUser() {
  const passwd* pw = getpwuid(getuid());
  return pw ? pw->pw_name : std::to_string(getuid());
}

// A SetEnv value in double quotes (sshd_config's quoting).
std::string Quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string SshdConfig(const SshdParams& r) {
  const std::string dir = SshdDir(r.instance_dir);
  const char* path = getenv("PATH");
  // The instance's venv first, as for a plain local instance.
  const std::string venv_bin =
      PathExists(r.instance_dir + "/venv/bin/python3") ? r.instance_dir + "/venv/bin:" : "";
  std::ostringstream c;
  c << "# Written by spotrun for local instance " << r.instance_id << ".\n"
    << "HostKey " << dir << "/host_ed25519_key\n"
    << "PidFile none\n"
    << "AuthorizedKeysFile " << dir << "/authorized_keys\n"
    << "AuthenticationMethods publickey\n"
    << "PasswordAuthentication no\n"
    << "KbdInteractiveAuthentication no\n"
    << "UsePAM no\n"
    << "StrictModes no\n"
    << "PermitRootLogin prohibit-password\n"
    << "AllowUsers " << CurrentUser() << "\n"
    << "PermitUserRC no\n"
    << "PermitUserEnvironment no\n"
    << "X11Forwarding no\n"
    << "PrintMotd no\n"
    << "PrintLastLog no\n"
    << "SetEnv HOME=" << Quoted(r.instance_dir + "/home")
    << " SPOTRUN_LOCAL_INSTANCE=" << Quoted(r.instance_id)
    << " AWS_EC2_METADATA_SERVICE_ENDPOINT=" << Quoted(r.imds_endpoint)
    << " PATH=" << Quoted(venv_bin + (path ? path : "/usr/local/bin:/usr/bin:/bin"));
  if (!venv_bin.empty()) c << " VIRTUAL_ENV=" << Quoted(r.instance_dir + "/venv");
  for (const auto& [key, value] : r.env) c << " " << key << "=" << Quoted(value);
  c << "\n"
    << "ForceCommand /bin/sh " << dir << "/session.sh\n"
    << "LogLevel INFO\n";
  return c.str();
}

Status RunTool(const std::vector<std::string>& argv, const std::string& what) {
  ProcessOptions p;
  p.argv = argv;
  std::string output;
  auto rc = RunCapture(p, &output, 30);
  if (!rc.ok()) return Internal(what + ": " + rc.status().message());
  if (*rc != 0) {
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return Internal(what + " failed (exit " + std::to_string(*rc) + "): " + output);
  }
  return Status::Ok();
}

Status WriteSshdFiles(const SshdParams& r, const std::string& sshd) {
  const std::string dir = SshdDir(r.instance_dir);
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(dir));
  chmod(dir.c_str(), 0700);
  SPOTRUN_RETURN_IF_ERROR(RunTool({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                                   r.instance_id, "-f", dir + "/host_ed25519_key"},
                                  "ssh-keygen (host key of " + r.instance_id + ")"));
  SPOTRUN_RETURN_IF_ERROR(WriteFileAtomic(dir + "/authorized_keys", r.public_key + "\n"));
  SPOTRUN_RETURN_IF_ERROR(WriteFileAtomic(dir + "/session.sh", SessionScript(r.instance_dir)));
  SPOTRUN_RETURN_IF_ERROR(WriteFileAtomic(dir + "/sshd_config", SshdConfig(r)));
  if (getuid() == 0 && !PathExists("/run/sshd")) {
    // sshd started by root needs its privilege separation directory, as the
    // openssh-server service makes it at boot.
    mkdir("/run/sshd", 0755);
  }
  return RunTool({sshd, "-t", "-f", dir + "/sshd_config"},
                 "sshd -t (config of " + r.instance_id + ")");
}

}  // namespace

Result<std::string> FindSshd() {
  for (const char* path : {"/usr/sbin/sshd", "/usr/local/sbin/sshd", "/sbin/sshd"}) {
    if (access(path, X_OK) == 0) return std::string(path);
  }
  return Internal(
      "SPOTRUN_LOCAL_SSH needs OpenSSH's sshd (Debian: apt-get install openssh-server)");
}

Status StartLocalSshd(const Instance& instance, const std::string& instance_dir,
                      const JobSshSettings& settings, const std::string& spotrun_bin) {
  auto sshd = FindSshd();
  if (!sshd.ok()) return sshd.status();
  const std::string job = JobOf(instance);
  auto key = EnsureJobKey(JobSshFiles::ForJob(settings.jobs_dir, job), job);
  if (!key.ok()) return key.status();
  auto imds_port = ReadFile(instance_dir + "/imds.port");
  if (!imds_port.ok()) return imds_port.status();
  SshdParams params{instance.id, instance_dir, *key, "http://127.0.0.1:" + *imds_port + "/",
                    InstanceGpuEnvironment(instance_dir)};
  SPOTRUN_RETURN_IF_ERROR(WriteSshdFiles(params, *sshd));
  const std::string dir = SshdDir(instance_dir);
  ProcessOptions p;
  p.argv = {spotrun_bin, "_sshd", instance_dir, *sshd};
  p.env["SPOTRUN_LOCAL_INSTANCE"] = instance.id;
  p.output_path = dir + "/daemon.log";
  auto pid = StartDetached(p);
  if (!pid.ok()) return pid.status();
  for (int i = 0; i < 200; ++i) {
    if (PathExists(dir + "/port")) return Status::Ok();
    if (!ProcessAlive(*pid)) break;
    PauseRealTime(0.025);
  }
  return Internal("the local instance's sshd did not start (see " + dir + "/daemon.log)");
}

bool HasLocalSshd(const std::string& instance_dir) {
  return PathExists(SshdDir(instance_dir) + "/port");
}

Result<std::unique_ptr<Host>> LocalSshHostFor(const std::string& instance_dir,
                                              const Instance& instance,
                                              const JobSshSettings& settings, Clock* clock) {
  const std::string dir = SshdDir(instance_dir);
  auto port = ReadFile(dir + "/port");
  auto host_key = ReadFile(dir + "/host_ed25519_key.pub");
  if (!port.ok() || !host_key.ok()) {
    return Unavailable("local instance " + instance.id + " has no sshd");
  }
  SshHostOptions base;
  base.endpoint = {"127.0.0.1", std::atoi(port->c_str()), CurrentUser()};
  // "TYPE BASE64 COMMENT": known_hosts wants the first two fields.
  std::istringstream fields(*host_key);
  std::string type, blob;
  fields >> type >> blob;
  base.host_key = type + " " + blob;
  base.connect_timeout_s = 5;
  base.ready_timeout_s = 20;
  auto host = MakeJobSshHost(settings, JobOf(instance), instance.id, std::move(base), clock);
  if (!host.ok()) return host.status();
  return std::unique_ptr<Host>(std::move(host).value());
}

}  // namespace spotrun
