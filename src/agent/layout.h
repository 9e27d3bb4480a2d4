// The job's directory layout on the instance, defined once. All paths are
// relative to the instance user's home directory; the agent receives them in
// config.json and never builds paths of its own. docs/ARCHITECTURE.md shows it.
#pragma once

#include <string>

namespace spotrun {

struct RemoteLayout {
  std::string root;          // spotrun/<job id>
  std::string workdir;       // root/workdir: the uploaded code, cwd of setup and run
  std::string agent;         // root/spotrun_agent.py
  std::string config;        // root/config.json: what the agent runs
  std::string log_file;      // root/logs/job.log: setup and run output, in order
  std::string agent_log;     // root/logs/agent.log: the agent's own errors
  std::string status_file;   // root/status.json: phase, exit code, notices
  std::string out_dir;       // root/out: outputs and logs staged for the controller
  std::string setup_marker;  // root/.setup-done: setup ran on this instance
  std::string snapshot_dir;  // root/ckpt-snapshot: checkpoint copy + MANIFEST.json
  std::string heartbeat;     // root/heartbeat: touched whenever the controller polls
  std::string progress;      // root/progress: the job's own progress ($SPOTRUN_PROGRESS_FILE)

  static RemoteLayout ForJob(const std::string& job_id) {
    RemoteLayout l;
    l.root = "spotrun/" + job_id;
    l.workdir = l.root + "/workdir";
    l.agent = l.root + "/spotrun_agent.py";
    l.config = l.root + "/config.json";
    l.log_file = l.root + "/logs/job.log";
    l.agent_log = l.root + "/logs/agent.log";
    l.status_file = l.root + "/status.json";
    l.out_dir = l.root + "/out";
    l.setup_marker = l.root + "/.setup-done";
    l.snapshot_dir = l.root + "/ckpt-snapshot";
    l.heartbeat = l.root + "/heartbeat";
    l.progress = l.root + "/progress";
    return l;
  }
  // The checkpoint directory for a spec's checkpoint.dir (relative to the workdir).
  std::string CheckpointDir(const std::string& spec_dir) const { return workdir + "/" + spec_dir; }
};

}  // namespace spotrun
