// Open `spotrun ssh` sessions of a job, as files under the controller's jobs
// directory: SPOTRUN_HOME/jobs/<id>/ssh-sessions/<pid>, each locked (flock, shared)
// by the session for as long as it lasts. A notebook is not idle while one
// is open (docs/notebooks.md).
#pragma once

#include <string>

#include "util/status.h"

namespace spotrun {

// Creates and locks the session file of this process; returns its
// descriptor (close-on-exec: ssh closes what it inherits anyway), held while
// this process waits for the session. Closing it, or the end of this
// process, ends the session; the file is removed by whoever next finds it
// unlocked.
Result<int> HoldSshSession(const std::string& jobs_dir, const std::string& job_id);

// True when some session file of the job is locked; removes unlocked ones.
bool SshSessionOpen(const std::string& jobs_dir, const std::string& job_id);

}  // namespace spotrun
