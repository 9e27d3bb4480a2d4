// Small file helpers that report failures as Status.
#pragma once

#include <string>

#include "util/status.h"

namespace spotrun {

Result<std::string> ReadFile(const std::string& path);
// Writes to "<path>.tmp-<pid>" then renames: readers see the old or the new
// content, never a partial file.
Status WriteFileAtomic(const std::string& path, const std::string& content);
Status MakeDirs(const std::string& path);
Status RemoveAll(const std::string& path);
bool PathExists(const std::string& path);

// A new private directory, removed with everything in it when the object
// goes. Under $TMPDIR when set, else under /dev/shm when `in_memory` and it
// is writable, else under /tmp.
class TempDir {
 public:
  static Result<TempDir> Make(const std::string& prefix, bool in_memory = false);
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace spotrun
