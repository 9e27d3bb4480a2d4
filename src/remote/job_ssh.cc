#include "remote/job_ssh.h"

#include <sys/stat.h>

#include "util/fs.h"
#include "util/subprocess.h"

namespace spotrun {
namespace {

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

JobSshFiles JobSshFiles::ForJob(const std::string& jobs_dir, const std::string& job_id) {
  return JobSshFiles{jobs_dir + "/" + job_id + "/ssh"};
}

Result<std::string> EnsureJobKey(const JobSshFiles& files, const std::string& job_id) {
  if (PathExists(files.private_key()) && PathExists(files.public_key())) {
    auto text = ReadFile(files.public_key());
    if (!text.ok()) return text.status();
    return FirstLine(*text);
  }
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(files.dir));
  chmod(files.dir.c_str(), 0700);
  // A half-made pair (an interrupted ssh-keygen) is replaced whole.
  (void)RemoveAll(files.private_key());
  (void)RemoveAll(files.public_key());
  ProcessOptions keygen;
  keygen.argv = {
      "ssh-keygen",       "-q", "-t", "ed25519", "-N", "", "-C", "spotrun-" + job_id, "-f",
      files.private_key()};
  std::string output;
  auto rc = RunCapture(keygen, &output, 30);
  if (!rc.ok()) return Internal("ssh-keygen: " + rc.status().message());
  if (*rc != 0) {
    return Internal("ssh-keygen failed (exit " + std::to_string(*rc) + "): " + FirstLine(output));
  }
  auto text = ReadFile(files.public_key());
  if (!text.ok()) return text.status();
  return FirstLine(*text);
}

Result<std::unique_ptr<SshHost>> MakeJobSshHost(const JobSshSettings& settings,
                                                const std::string& job_id,
                                                const std::string& instance_id, SshHostOptions base,
                                                Clock* clock) {
  JobSshFiles files = JobSshFiles::ForJob(settings.jobs_dir, job_id);
  auto key = EnsureJobKey(files, job_id);
  if (!key.ok()) return key.status();
  if (settings.target) {
    std::string user = base.endpoint.user;
    base.endpoint = *settings.target;
    if (base.endpoint.user.empty()) base.endpoint.user = user;
  }
  base.identity_file = files.private_key();
  base.known_hosts_file = files.known_hosts();
  base.host_key_alias = instance_id;
  base.control_dir = settings.control_dir;
  base.progress = settings.progress;
  return std::make_unique<SshHost>(std::move(base), clock);
}

}  // namespace spotrun
