// A job's log, attempt by attempt: the controller keeps each attempt's log on
// its disk (LocalAttemptLogPath, what the polls brought); `spotrun logs` and
// the results' logs/job.log show them all, in order, under the same headers.
#pragma once

#include <string>
#include <vector>

#include "store/store.h"
#include "util/status.h"

namespace spotrun {

// What precedes attempt N's log once there has been more than one:
// "--- attempt 2: c5.large spot in use1-az1 ---\n"; "" for attempt 1.
std::string AttemptLogHeader(const AttemptRecord& attempt);

// Writes the local log of every attempt in `attempts` (in attempt order; those
// without a log are skipped), each after its header, to `path`, replacing it
// whole (through a temporary name).
Status WriteAllAttemptLogs(const std::string& jobs_dir, const std::string& job_id,
                           std::vector<AttemptRecord> attempts, const std::string& path);

// Appends to `local_log` what `remote_copy` (the instance's whole log of the
// attempt, pulled at the end) holds past `*offset`, the bytes the polls
// brought; advances `*offset`. A shorter copy adds nothing.
Status TopUpAttemptLog(const std::string& remote_copy, const std::string& local_log,
                       long long* offset);

}  // namespace spotrun
