#include "jobs/ssh_sessions.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/fs.h"

namespace spotrun {
namespace {

std::string SessionsDir(const std::string& jobs_dir, const std::string& job_id) {
  return jobs_dir + "/" + job_id + "/ssh-sessions";
}

}  // namespace

Result<int> HoldSshSession(const std::string& jobs_dir, const std::string& job_id) {
  const std::string dir = SessionsDir(jobs_dir, job_id);
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(dir));
  const std::string path = dir + "/" + std::to_string(getpid());
  // Locked under a name no reader looks at, then moved into place: a reader
  // never finds it unlocked while its session lasts.
  const std::string hidden = dir + "/." + std::to_string(getpid());
  int fd = open(hidden.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot create " + hidden + ": " + std::strerror(errno));
  if (flock(fd, LOCK_SH) != 0 || rename(hidden.c_str(), path.c_str()) != 0) {
    close(fd);
    return Internal("cannot lock " + path + ": " + std::strerror(errno));
  }
  return fd;
}

bool SshSessionOpen(const std::string& jobs_dir, const std::string& job_id) {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool open_session = false;
  for (const auto& entry : fs::directory_iterator(SessionsDir(jobs_dir, job_id), ec)) {
    const std::string path = entry.path().string();
    if (entry.path().filename().string().rfind('.', 0) == 0) continue;  // Being made.
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      fs::remove(path, ec);  // Its session has ended.
    } else if (errno == EWOULDBLOCK) {
      open_session = true;
    }
    close(fd);
  }
  return open_session;
}

}  // namespace spotrun
