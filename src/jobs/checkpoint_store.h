// CheckpointStore: a job's checkpoints kept outside the instance, on the
// controller's disk (SPOTRUN_HOME/jobs/<id>/checkpoints), moved through the
// Host seam. Layout:
//   incoming/            the last pull of the agent's snapshot (rsync: only
//                        changed files travel)
//   gen-<N>/             a verified snapshot: files/ + MANIFEST.json
//   CURRENT              "gen-<N>", replaced atomically, written last
// A snapshot becomes current only after every file in its manifest has been
// checked (size and sha256), so a pull cut short by a preemption never
// yields a corrupt resume: the previous generation stays current.
#pragma once

#include <string>
#include <vector>

#include "remote/host.h"
#include "util/status.h"

namespace spotrun {

struct CheckpointFile {
  std::string path;  // Relative to the checkpoint directory.
  long long size = 0;
  std::string sha256;
};

struct CheckpointManifest {
  int generation = 0;  // The agent's snapshot generation; 0 = no checkpoint.
  std::vector<CheckpointFile> files;
};

class CheckpointStore {
 public:
  explicit CheckpointStore(std::string dir) : dir_(std::move(dir)) {}

  // Pulls the snapshot at `remote_snapshot` (the agent's snapshot directory),
  // verifies it, and makes it current. Returns its generation. A snapshot not
  // newer than the current one is left alone.
  Result<int> Save(Host& host, const std::string& remote_snapshot);
  // Pushes the current checkpoint into `remote_dir` on a new instance after
  // verifying it again. Returns its generation, 0 when there is none.
  Result<int> Restore(Host& host, const std::string& remote_dir);
  // Makes the verified generation in `gen_dir` (files/ + MANIFEST.json, e.g.
  // downloaded from the S3 mirror) current, after checking it again. Returns
  // its generation.
  Result<int> Adopt(const std::string& gen_dir);
  // The current manifest (generation 0 when there is none).
  CheckpointManifest Current() const;
  // The directory of the current generation ("" when there is none).
  std::string CurrentDir() const;

 private:
  Status Verify(const std::string& dir, const CheckpointManifest& m) const;
  Status Install(const CheckpointManifest& m);
  std::string dir_;
  // No CURRENT was there when last looked: none until Install writes one
  // (this store is its directory's only writer), so Current need not look.
  mutable bool none_yet_ = false;
};

// Parses MANIFEST.json as the agent writes it.
Result<CheckpointManifest> ParseManifest(const std::string& json_text);

}  // namespace spotrun
