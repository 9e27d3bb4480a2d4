#include "jobs/s3_checkpoint_mirror.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "util/fs.h"
#include "util/sha256.h"

namespace spotrun {

namespace fs = std::filesystem;

namespace {

constexpr int kDownloadRounds = 3;
constexpr const char* kBlobPrefix = "blobs/";

bool IsSha256Hex(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Parses a manifest and checks what the mirror relies on beyond ParseManifest:
// every checksum can name a blob and no size is negative.
Result<CheckpointManifest> ParseMirrorManifest(const std::string& text, const std::string& where) {
  Result<CheckpointManifest> m = ParseManifest(text);
  if (!m.ok()) return Status(m.status().code(), where + ": " + m.status().message());
  for (const CheckpointFile& f : m->files) {
    if (!IsSha256Hex(f.sha256) || f.size < 0) {
      return Unavailable(where + ": bad size or sha256 for " + f.path);
    }
  }
  return m;
}

std::set<std::string> BlobsOf(const CheckpointManifest& m) {
  std::set<std::string> shas;
  for (const CheckpointFile& f : m.files) shas.insert(f.sha256);
  return shas;
}

// Puts `fresh` where `dest` was: the old directory is moved aside first, so
// that `dest` is never a mix of both.
Status ReplaceDir(const std::string& fresh, const std::string& dest) {
  const std::string old = dest + ".old-" + std::to_string(getpid());
  std::error_code ec;
  SPOTRUN_RETURN_IF_ERROR(RemoveAll(old));
  bool had_old = fs::exists(dest, ec);
  if (had_old) fs::rename(dest, old, ec);
  if (ec) return Internal("cannot move " + dest + " aside: " + ec.message());
  fs::rename(fresh, dest, ec);
  if (ec) {
    std::error_code ignored;
    if (had_old) fs::rename(old, dest, ignored);
    return Internal("cannot rename " + fresh + " to " + dest + ": " + ec.message());
  }
  (void)RemoveAll(old);  // Leftovers are harmless and removed by the next call.
  return Status::Ok();
}

}  // namespace

std::string MirrorManifestKey() { return "MANIFEST.json"; }

std::string MirrorBlobKey(const std::string& sha256) { return kBlobPrefix + sha256; }

Result<std::string> S3CheckpointMirror::ReadRemoteManifest() {
  Result<std::string> text = store_->GetBytes(MirrorManifestKey());
  if (!text.ok() && text.status().code() == Code::kNotFound) return std::string();
  return text;
}

Result<int> S3CheckpointMirror::RemoteGeneration() {
  Result<std::string> text = ReadRemoteManifest();
  if (!text.ok()) return text.status();
  if (text->empty()) return 0;
  Result<CheckpointManifest> m = ParseMirrorManifest(*text, store_->Describe());
  if (!m.ok()) return m.status();
  return m->generation;
}

Status S3CheckpointMirror::Upload(const std::string& gen_dir) {
  Result<std::string> text = ReadFile(gen_dir + "/MANIFEST.json");
  if (!text.ok()) return Internal(gen_dir + " has no MANIFEST.json");
  Result<CheckpointManifest> m = ParseMirrorManifest(*text, gen_dir + "/MANIFEST.json");
  if (!m.ok()) return Internal(m.status().message());

  Result<std::string> remote_text = ReadRemoteManifest();
  if (!remote_text.ok()) return remote_text.status();
  CheckpointManifest remote;
  if (!remote_text->empty()) {
    Result<CheckpointManifest> parsed = ParseMirrorManifest(*remote_text, store_->Describe());
    if (parsed.ok()) remote = std::move(*parsed);  // An unreadable one is simply replaced.
  }
  if (remote.generation > m->generation) return Status::Ok();

  Result<std::map<std::string, long long>> stored = StoredBlobs();
  if (!stored.ok()) return stored.status();
  std::set<std::string> sent;
  for (const CheckpointFile& f : m->files) {
    auto it = stored->find(f.sha256);
    if ((it != stored->end() && it->second == f.size) || sent.count(f.sha256)) continue;
    SPOTRUN_RETURN_IF_ERROR(
        store_->PutFile(MirrorBlobKey(f.sha256), gen_dir + "/files/" + f.path, f.sha256));
    sent.insert(f.sha256);
  }
  if (*remote_text != *text) SPOTRUN_RETURN_IF_ERROR(store_->PutBytes(MirrorManifestKey(), *text));
  DeleteUnused(*stored, *m, remote);
  return Status::Ok();
}

Result<std::map<std::string, long long>> S3CheckpointMirror::StoredBlobs() {
  Result<std::vector<StoredObject>> listed = store_->List(kBlobPrefix);
  if (!listed.ok()) return listed.status();
  std::map<std::string, long long> stored;
  for (const StoredObject& o : *listed) {
    stored[o.key.substr(std::string_view(kBlobPrefix).size())] = o.size;
  }
  return stored;
}

void S3CheckpointMirror::DeleteUnused(const std::map<std::string, long long>& stored,
                                      const CheckpointManifest& current,
                                      const CheckpointManifest& replaced) {
  // Readers of the replaced manifest may still be fetching its blobs: keep them.
  std::set<std::string> keep = BlobsOf(current);
  keep.merge(BlobsOf(replaced));
  std::vector<std::string> unused;
  for (const auto& [sha, size] : stored) {
    if (!keep.count(sha)) unused.push_back(MirrorBlobKey(sha));
  }
  if (!unused.empty()) (void)store_->Delete(unused);  // Failures: retried by the next upload.
}

Status S3CheckpointMirror::Fetch(const CheckpointManifest& m, const std::string& dir) {
  for (const CheckpointFile& f : m.files) {
    const fs::path dest = fs::path(dir) / "files" / f.path;
    SPOTRUN_RETURN_IF_ERROR(MakeDirs(dest.parent_path().string()));
    SPOTRUN_RETURN_IF_ERROR(store_->GetFile(MirrorBlobKey(f.sha256), dest.string()));
    std::error_code ec;
    auto size = fs::file_size(dest, ec);
    Result<std::string> sum = Sha256OfFile(dest.string());
    if (ec || (long long)size != f.size || !sum.ok() || *sum != f.sha256) {
      return Unavailable("checkpoint file " + f.path + " from " + store_->Describe() +
                         " does not match its manifest entry (size or sha256)");
    }
  }
  return Status::Ok();
}

Result<int> S3CheckpointMirror::Download(const std::string& dest_gen_dir) {
  const std::string partial = dest_gen_dir + ".partial-" + std::to_string(getpid());
  std::string previous_text;
  for (int round = 0; round < kDownloadRounds; ++round) {
    Result<std::string> text = ReadRemoteManifest();
    if (!text.ok()) return text.status();
    if (text->empty()) return 0;
    if (round > 0 && *text == previous_text) break;  // The missing blob is really missing.
    previous_text = *text;
    Result<CheckpointManifest> m = ParseMirrorManifest(*text, store_->Describe());
    if (!m.ok()) return m.status();

    SPOTRUN_RETURN_IF_ERROR(RemoveAll(partial));
    SPOTRUN_RETURN_IF_ERROR(MakeDirs(partial + "/files"));
    Status fetched = Fetch(*m, partial);
    if (fetched.ok()) fetched = WriteFileAtomic(partial + "/MANIFEST.json", *text);
    if (fetched.ok()) fetched = ReplaceDir(partial, dest_gen_dir);
    if (fetched.ok()) return m->generation;
    (void)RemoveAll(partial);
    if (fetched.code() != Code::kNotFound) return fetched;
  }
  return Unavailable("the manifest in " + store_->Describe() +
                     " names a checkpoint file that is not stored");
}

}  // namespace spotrun
