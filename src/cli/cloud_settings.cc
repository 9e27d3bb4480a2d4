// The cloud factory's inputs: a job's CloudParams and the SSH settings every
// SshHost of this context shares.
#include "cli/context.h"
#include "remote/ssh_host.h"

namespace spotrun {

CloudParams CloudParamsFor(const JobSpec& spec) {
  CloudParams params;
  params.region = spec.resources.region;
  params.ssh_cidr = spec.ssh_cidr;
  return params;
}

Result<std::unique_ptr<Cloud>> CliContext::MakeCloudForJob(const JobRecord& job) {
  CloudParams params;
  if (auto spec = ParseJobSpec(job.spec_text, job.spec_path,
                               StoredSpecOptions(job.kind == JobKind::kNotebook));
      spec.ok()) {
    params = CloudParamsFor(*spec);
  }
  if (auto attempts = store->Attempts(job.id); attempts.ok()) {
    for (const AttemptRecord& a : *attempts) {
      if (!a.region.empty()) params.region = a.region;  // The newest attempt's, last.
    }
  }
  return MakeCloud(job.cloud, params);
}

Result<JobSshSettings> CliContext::SshSettings() {
  JobSshSettings settings;
  settings.jobs_dir = jobs_dir();
  auto control = SshControlDir(home);
  if (!control.ok()) return control.status();
  settings.control_dir = *control;
  if (const std::string& target = env["SPOTRUN_SSH_TARGET"]; !target.empty()) {
    auto endpoint = ParseSshTarget(target);
    if (!endpoint.ok())
      return InvalidArgument("SPOTRUN_SSH_TARGET: " + endpoint.status().message());
    settings.target = *endpoint;
  }
  settings.progress = stdout_tty;
  return settings;
}

}  // namespace spotrun
