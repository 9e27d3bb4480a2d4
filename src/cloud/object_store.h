// ObjectStore: the seam around a remote store of whole objects, rooted at one
// location (an S3 bucket and key prefix: aws/s3_object_store.h). Keys are
// relative to that root. Abstract so that the controller's code (jobs/) never
// depends on cloud/aws, and so that tests can fake it or wrap it with faults.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace spotrun {

struct StoredObject {
  std::string key;  // Relative to the store's root.
  long long size = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // "s3://bucket/prefix/": where the root is, for messages.
  virtual std::string Describe() const = 0;

  // Stores the file at `path` as `key`, replacing any object there. `sha256`
  // (lower-case hex) is the content as the caller knows it: when the bytes
  // read differ, nothing is stored and the call fails with kUnavailable. An
  // object appears whole or not at all; the checksum is kept with it and
  // checked again by GetFile.
  virtual Status PutFile(const std::string& key, const std::string& path,
                         const std::string& sha256) = 0;
  // Stores `bytes` as `key`, like PutFile.
  virtual Status PutBytes(const std::string& key, std::string_view bytes) = 0;

  // The content of `key`, checked against its stored checksum when it has
  // one. kNotFound when there is no such object.
  virtual Result<std::string> GetBytes(const std::string& key) = 0;
  // Writes the content of `key` to `path` through a temporary name in the
  // same directory, renamed over `path` only once complete and checked
  // against the stored checksum; on failure `path` is untouched and the
  // temporary file removed. The parent directory must exist. kNotFound when
  // there is no such object.
  virtual Status GetFile(const std::string& key, const std::string& path) = 0;

  // Every object whose key starts with `prefix`, in key order.
  virtual Result<std::vector<StoredObject>> List(const std::string& prefix) = 0;
  // Deletes `keys`; keys that do not exist are not an error.
  virtual Status Delete(const std::vector<std::string>& keys) = 0;
};

}  // namespace spotrun
