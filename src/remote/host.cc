#include "remote/host.h"

#include <algorithm>

#include "util/fs.h"

namespace spotrun {

Status Host::PushFiles(const std::vector<std::pair<std::string, std::string_view>>& files,
                       const std::string& staging, const std::string& remote) {
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(staging));
  for (const auto& [name, content] : files) {
    const std::string path = staging + "/" + name;
    if (auto there = ReadFile(path); there.ok() && *there == content) continue;
    SPOTRUN_RETURN_IF_ERROR(WriteFileAtomic(path, std::string(content)));
  }
  return Push(staging, remote, {});
}

bool Host::PauseUnlessStopped(Clock* clock, double seconds) const {
  constexpr double kStep = 0.2;
  const double until = clock->Now() + seconds;
  for (;;) {
    if (StopRequested()) return false;
    const double left = until - clock->Now();
    if (left <= 0) return true;
    clock->Sleep(std::min(left, kStep));
  }
}

}  // namespace spotrun

namespace spotrun {

Result<std::string> ProcessSession::Call(const std::string& line, double timeout_s) {
  SPOTRUN_RETURN_IF_ERROR(process_->Write(line));
  return process_->ReadFrame(timeout_s);
}

Result<std::unique_ptr<HostSession>> ProcessSession::Start(const ProcessOptions& options) {
  auto process = Coprocess::Start(options);
  if (!process.ok()) return process.status();
  return std::unique_ptr<HostSession>(new ProcessSession(std::move(process).value()));
}

}  // namespace spotrun
