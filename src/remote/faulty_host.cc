#include "remote/faulty_host.h"

#include <algorithm>
#include <cassert>
#include <filesystem>

#include "util/fs.h"

namespace spotrun {

namespace fs = std::filesystem;

namespace {

// The regular files under `root` (or `root` itself when it is a file), by
// path relative to it, sorted: the order a transfer cut short keeps.
std::vector<std::string> FilesUnder(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  if (fs::is_regular_file(root, ec)) return {""};
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(fs::relative(it->path(), root).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Copies the first half of the files under `from` into directory `to` (the
// rsync ignore files too, so that the same ones stay excluded). Returns how
// many files of how many were copied.
Result<std::pair<int, int>> CopyFirstHalf(const std::string& from, const std::string& to) {
  const std::vector<std::string> files = FilesUnder(from);
  const size_t half = files.size() / 2;
  std::error_code ec;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string name = fs::path(files[i]).filename().string();
    const bool rules = name == ".gitignore" || name == ".spotrunignore";
    if (i >= half && !rules) continue;
    const fs::path dest = fs::path(to) / files[i];
    fs::create_directories(dest.parent_path(), ec);
    if (!ec)
      fs::copy_file(fs::path(from) / files[i], dest, fs::copy_options::overwrite_existing, ec);
    if (ec) return Internal("cannot copy " + files[i] + ": " + ec.message());
  }
  return std::make_pair(static_cast<int>(half), static_cast<int>(files.size()));
}

}  // namespace

const char* HostCallName(HostCall call) {
  switch (call) {
    case HostCall::kAny:
      return "any";
    case HostCall::kRun:
      return "run";
    case HostCall::kPush:
      return "push";
    case HostCall::kPull:
      return "pull";
  }
  return "?";
}

FaultyHost::FaultyHost(std::unique_ptr<Host> base, std::vector<std::string>* log)
    : base_(std::move(base)), log_(log) {}

void FaultyHost::FailNext(HostCall call, int n, HostFault fault) {
  assert(fault != HostFault::kDiskFull || call == HostCall::kPush || call == HostCall::kPull);
  for (int i = 0; i < n; ++i) queue_.push_back({call, fault});
}

void FaultyHost::DropAfter(int k, int n) {
  FailNext(HostCall::kAny, k, HostFault::kPass);
  FailNext(HostCall::kAny, n, HostFault::kDrop);
}

HostFault FaultyHost::Take(HostCall call) {
  ++calls_;
  if (queue_.empty()) return HostFault::kPass;
  const Entry front = queue_.front();
  if (front.call != HostCall::kAny && front.call != call) return HostFault::kPass;
  queue_.pop_front();
  if (front.fault != HostFault::kPass) ++injected_;
  return front.fault;
}

void FaultyHost::Note(const std::string& line) {
  if (log_) log_->push_back("fault: " + line);
}

Result<int> FaultyHost::Run(const std::string& command, const RunOptions& options,
                            const OutputFn& on_output) {
  if (gate_) SPOTRUN_RETURN_IF_ERROR(gate_());
  switch (Take(HostCall::kRun)) {
    case HostFault::kPass:
    case HostFault::kDiskFull:  // Not queued for Run (REQUIRES).
      return base_->Run(command, options, on_output);
    case HostFault::kDrop:
      Note("drop run");
      return Unavailable("ssh: connection to the instance dropped (injected)");
    case HostFault::kCutHalfway:
      (void)base_->Run(command, options, nullptr);  // It ran; the answer is lost.
      Note("cut run halfway");
      return Unavailable(
          "ssh: connection to the instance dropped while the command ran (injected)");
  }
  return Internal("unknown host fault");
}

Status FaultyHost::Push(const std::string& local, const std::string& remote,
                        const std::vector<std::string>& excludes) {
  if (gate_) SPOTRUN_RETURN_IF_ERROR(gate_());
  const HostFault fault = Take(HostCall::kPush);
  if (fault == HostFault::kPass) return base_->Push(local, remote, excludes);
  if (fault == HostFault::kDrop) {
    Note("drop push " + remote);
    return Unavailable("upload of " + local + " failed: ssh: connection dropped (injected)");
  }
  auto moved = PushHalf(local, remote, excludes);
  if (!moved.ok()) return moved.status();
  return TransferFailure(fault, HostCall::kPush, "upload of " + local, remote, remote, *moved);
}

Status FaultyHost::Pull(const std::string& remote, const std::string& local) {
  if (gate_) SPOTRUN_RETURN_IF_ERROR(gate_());
  const HostFault fault = Take(HostCall::kPull);
  if (fault == HostFault::kPass) return base_->Pull(remote, local);
  if (fault == HostFault::kDrop) {
    Note("drop pull " + remote);
    return Unavailable("download of " + remote + " failed: ssh: connection dropped (injected)");
  }
  auto moved = PullHalf(remote, local);
  if (!moved.ok()) return moved.status();
  return TransferFailure(fault, HostCall::kPull, "download of " + remote, local, remote, *moved);
}

Status FaultyHost::TransferFailure(HostFault fault, HostCall call, const std::string& what,
                                   const std::string& receiver, const std::string& subject,
                                   std::pair<int, int> moved) {
  const bool full = fault == HostFault::kDiskFull;
  Note(std::string(full ? "disk full " : "cut ") + HostCallName(call) + " " + subject + " (" +
       std::to_string(moved.first) + " of " + std::to_string(moved.second) + " files)");
  if (full) {
    return Unavailable(what + " failed (rsync exit 11): rsync: write failed on \"" + receiver +
                       "\": No space left on device (28) (injected)");
  }
  return Unavailable(what +
                     " failed (rsync exit 12): rsync: connection unexpectedly closed (injected)");
}

Result<std::pair<int, int>> FaultyHost::PushHalf(const std::string& local,
                                                 const std::string& remote,
                                                 const std::vector<std::string>& excludes) {
  auto staging = TempDir::Make("spotrun-faulty-push");
  if (!staging.ok()) return staging.status();
  auto copied = CopyFirstHalf(local, staging->path());
  if (!copied.ok()) return copied.status();
  // A single file cut short never arrives; a directory arrives in part.
  std::error_code ec;
  if (!fs::is_directory(local, ec)) return copied;
  SPOTRUN_RETURN_IF_ERROR(base_->Push(staging->path(), remote, excludes));
  return copied;
}

Result<std::pair<int, int>> FaultyHost::PullHalf(const std::string& remote,
                                                 const std::string& local) {
  auto staging = TempDir::Make("spotrun-faulty-pull");
  if (!staging.ok()) return staging.status();
  SPOTRUN_RETURN_IF_ERROR(base_->Pull(remote, staging->path()));
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(local));
  return CopyFirstHalf(staging->path(), local);
}

}  // namespace spotrun
