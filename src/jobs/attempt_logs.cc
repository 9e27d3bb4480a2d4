#include "jobs/attempt_logs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "jobs/controller.h"

namespace spotrun {

namespace fs = std::filesystem;

std::string AttemptLogHeader(const AttemptRecord& a) {
  if (a.number <= 1) return "";
  return "--- attempt " + std::to_string(a.number) + ": " + a.instance_type + " " + a.market +
         " in " + a.zone + " ---\n";
}

Status WriteAllAttemptLogs(const std::string& jobs_dir, const std::string& job_id,
                           std::vector<AttemptRecord> attempts, const std::string& path) {
  std::sort(attempts.begin(), attempts.end(),
            [](const AttemptRecord& a, const AttemptRecord& b) { return a.number < b.number; });
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    int last = 0;
    for (const AttemptRecord& a : attempts) {
      if (a.number == last) continue;  // The current attempt may be listed twice.
      last = a.number;
      std::ifstream in(LocalAttemptLogPath(jobs_dir, job_id, a.number), std::ios::binary);
      if (!in) continue;
      out << AttemptLogHeader(a);
      if (in.peek() != std::ifstream::traits_type::eof()) out << in.rdbuf();
    }
    out.flush();
    if (!out) return Internal("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Internal("cannot write " + path + ": " + ec.message());
  return Status::Ok();
}

Status TopUpAttemptLog(const std::string& remote_copy, const std::string& local_log,
                       long long* offset) {
  std::ifstream in(remote_copy, std::ios::binary);
  if (!in) return Status::Ok();
  in.seekg(0, std::ios::end);
  const long long size = in.tellg();
  if (size <= *offset) return Status::Ok();
  in.seekg(*offset);
  std::ofstream out(local_log, std::ios::binary | std::ios::app);
  out << in.rdbuf();
  if (!out) return Internal("cannot write " + local_log);
  *offset = size;
  return Status::Ok();
}

}  // namespace spotrun
