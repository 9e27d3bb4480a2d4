// S3CheckpointMirror: a copy of the job's current verified checkpoint (a
// gen-<N> directory of the CheckpointStore: files/... + MANIFEST.json) kept in
// an object store, normally "s3://bucket/prefix/" through aws::S3ObjectStore,
// so that a checkpoint outlives the controller's disk. Layout under the
// store's root (names built by the functions below, nowhere else):
//
//   blobs/<sha256>   the content of a checkpoint file, keyed by its SHA-256
//                    (identical files share one blob)
//   MANIFEST.json    the generation's manifest, byte for byte as the agent
//                    wrote it (generation; path, size, sha256 of each file)
//
// Upload writes MANIFEST.json only after every blob it names is stored, so a
// reader never sees a manifest naming a missing or partial object (objects
// appear whole or not at all), and an upload that fails midway leaves the
// previous manifest, and every blob it names, in place. Blobs named by
// neither the new manifest nor the one it replaced are deleted afterwards.
//
// Not safe for two writers on one prefix at once; readers may run alongside
// one writer. Works over the ObjectStore seam only, so jobs/ never depends
// on cloud/aws.
#pragma once

#include <map>
#include <string>

#include "cloud/object_store.h"
#include "jobs/checkpoint_store.h"
#include "util/status.h"

namespace spotrun {

// Key of the manifest under the mirror's root: "MANIFEST.json".
std::string MirrorManifestKey();
// Key of the blob holding content with SHA-256 `sha256` (hex): "blobs/<sha256>".
std::string MirrorBlobKey(const std::string& sha256);

class S3CheckpointMirror {
 public:
  // `store` is not owned and must outlive the mirror; it is rooted at the
  // job's prefix.
  explicit S3CheckpointMirror(ObjectStore* store) : store_(store) {}

  // Mirrors the verified generation in `gen_dir` (gen-<N>/ with files/ and
  // MANIFEST.json). Only files whose content is not already stored as a blob
  // of the same size are sent; an unchanged generation sends no file bodies
  // and does not rewrite the manifest. When the store holds a newer
  // generation already, nothing is written and the call succeeds. Fails with
  // kInternal for a missing or malformed local manifest, kUnavailable (or the
  // store's code: kAuth, kNotFound for a missing bucket) when a file differs
  // from its manifest entry or the store fails; the store's previous
  // manifest then stays current.
  Status Upload(const std::string& gen_dir);

  // Reads the stored manifest and writes its generation into `dest_gen_dir`
  // (files/... + MANIFEST.json, the layout of gen_dir above). Every file is
  // checked (size and SHA-256) in "<dest_gen_dir>.partial-<pid>" before that
  // directory replaces `dest_gen_dir`, so `dest_gen_dir` holds either its
  // previous content or the complete generation. Returns the generation, or
  // 0 (leaving `dest_gen_dir` alone) when the store has no manifest. A blob
  // deleted by a concurrent Upload makes it start over with the new
  // manifest (three rounds at most). Fails with kUnavailable when a file
  // does not verify or the manifest names a missing blob.
  Result<int> Download(const std::string& dest_gen_dir);

  // The generation the store holds, 0 when none.
  Result<int> RemoteGeneration();

 private:
  // The stored manifest's text; "" when there is none.
  Result<std::string> ReadRemoteManifest();
  // Stored blobs: sha256 -> size.
  Result<std::map<std::string, long long>> StoredBlobs();
  // Deletes the blobs in `stored` named by neither manifest; best effort.
  void DeleteUnused(const std::map<std::string, long long>& stored,
                    const CheckpointManifest& current, const CheckpointManifest& replaced);
  // Downloads and checks every file of `m` into `dir`/files.
  Status Fetch(const CheckpointManifest& m, const std::string& dir);

  ObjectStore* store_;
};

}  // namespace spotrun
