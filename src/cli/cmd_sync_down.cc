// `spotrun sync-down JOB [PATH...]`: files from a job's running instance,
// at any time. Each PATH (relative to the job's workdir there; default: the
// whole workdir) comes down into a temporary directory beside the
// destination first, then each file is renamed into place, so a transfer
// cut short leaves nothing half-written. A local file newer than the
// instance's copy is kept unless --force.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>

#include "agent/layout.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/job_host.h"
#include "util/encoding.h"
#include "util/fs.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop = true; }

int Fail(const std::string& message, int code) {
  fprintf(stderr, "spotrun: %s\n", message.c_str());
  return code;
}

// `path` as a path inside the workdir ("" when it leaves it).
std::string InsideWorkdir(const std::string& path) {
  const fs::path p = fs::path(path).lexically_normal();
  if (p.is_absolute()) return "";
  const std::string text = p.generic_string();
  if (text == ".." || text.rfind("../", 0) == 0) return "";
  return text == "." || text.empty() ? "." : text;
}

struct Moved {
  int files = 0;
  int kept = 0;  // Local copies newer than the instance's.
};

// Moves every file under `from` to the same place under `to`, keeping a
// newer local file unless `force`.
Status MoveInto(const fs::path& from, const fs::path& to, bool force, Moved* moved) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const fs::path dest = to / fs::relative(it->path(), from);
    if (!force && fs::is_regular_file(dest) &&
        fs::last_write_time(dest) > fs::last_write_time(it->path())) {
      ++moved->kept;
      continue;
    }
    SPOTRUN_RETURN_IF_ERROR(MakeDirs(dest.parent_path().string()));
    fs::rename(it->path(), dest, ec);
    if (ec) return Internal("cannot move " + dest.string() + " into place: " + ec.message());
    ++moved->files;
  }
  if (ec) return Internal("cannot read " + from.string() + ": " + ec.message());
  return Status::Ok();
}

// Brings `path` (inside the workdir) of `host` into `to`, through `scratch`.
Status SyncOne(Host& host, const RemoteLayout& layout, const std::string& path, const fs::path& to,
               const fs::path& scratch, bool force, Moved* moved) {
  const std::string remote = path == "." ? layout.workdir : layout.workdir + "/" + path;
  auto is_dir = host.Run("test -d " + ShellQuote(remote), {.env = {}, .timeout_s = 60}, nullptr);
  if (!is_dir.ok()) return is_dir.status();
  SPOTRUN_RETURN_IF_ERROR(RemoveAll(scratch.string()));
  SPOTRUN_RETURN_IF_ERROR(host.Pull(remote, scratch.string()));
  // A directory's contents land in scratch; a file lands as scratch/NAME.
  const fs::path dest = *is_dir == 0 ? to / path : (to / path).parent_path();
  return MoveInto(scratch, dest.lexically_normal(), force, moved);
}

}  // namespace

int CmdSyncDown(CliContext& ctx, const Args& args) {
  auto parsed = ParseArgs(args, {{"to", true}, {"force", false}});
  if (!parsed.ok()) return Fail(parsed.status().message(), 2);
  if (parsed->positional.empty()) {
    return Fail("sync-down needs a job: spotrun sync-down JOB [PATH...] [--to DIR] [--force]", 2);
  }
  std::vector<std::string> paths;
  for (size_t i = 1; i < parsed->positional.size(); ++i) {
    std::string inside = InsideWorkdir(parsed->positional[i]);
    if (inside.empty()) {
      return Fail("sync-down: " + parsed->positional[i] +
                      " is not inside the job's workdir (give a path relative to it)",
                  2);
    }
    paths.push_back(inside);
  }
  if (paths.empty()) paths.push_back(".");
  const fs::path to = fs::absolute(parsed->Get("to").value_or(".")).lexically_normal();
  const bool force = parsed->Has("force");

  auto job = ctx.store->GetJob(parsed->positional[0]);
  if (!job.ok()) return JobLookupFailed(job.status());
  auto running = RunningHostOf(ctx, *job);
  if (!running.ok()) return Fail(running.status().message(), 1);
  if (Status made = MakeDirs(to.string()); !made.ok()) return Fail(made.message(), 1);

  // Ctrl-C cuts the transfer short; the scratch directory goes either way.
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  running->host->SetStop([] { return g_stop.load(); });
  const fs::path scratch = to / (".spotrun-sync-" + std::to_string(getpid()));
  const RemoteLayout layout = RemoteLayout::ForJob(job->id);
  Moved moved;
  Status s = Status::Ok();
  for (const std::string& path : paths) {
    s = SyncOne(*running->host, layout, path, to, scratch, force, &moved);
    if (!s.ok()) {
      s = Status(s.code(), path + ": " + s.message());
      break;
    }
  }
  (void)RemoveAll(scratch.string());
  if (g_stop) return Fail("sync-down interrupted; nothing half-written was left", 130);
  if (!s.ok()) return Fail("sync-down: " + s.message(), 1);
  printf("synced %d file%s of job %s into %s", moved.files, moved.files == 1 ? "" : "s",
         job->id.c_str(), to.c_str());
  if (moved.kept > 0) {
    printf("; kept %d local file%s newer than the instance's (--force replaces them)", moved.kept,
           moved.kept == 1 ? "" : "s");
  }
  printf("\n");
  return 0;
}

}  // namespace spotrun
