// S3ObjectStore: the ObjectStore seam (cloud/object_store.h) on one S3 bucket
// and key prefix, named by a URL "s3://bucket/prefix/". Keys given to the
// store are appended to the prefix.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cloud/aws/s3_client.h"
#include "cloud/object_store.h"

namespace spotrun::aws {

struct S3Location {
  std::string bucket;
  std::string prefix;  // "" or ends with '/'.
};

// Parses "s3://bucket" or "s3://bucket/some/prefix[/]" (a missing trailing
// '/' is added). Fails with kInvalidArgument, quoting the URL, on another
// scheme, a bucket name S3 would refuse (3-63 characters of a-z, 0-9, '.',
// '-'), or a prefix with empty or "."/".." segments.
Result<S3Location> ParseS3Url(std::string_view url);

class S3ObjectStore : public ObjectStore {
 public:
  // `client` is not owned and must outlive the store.
  S3ObjectStore(S3Client* client, S3Location root) : client_(client), root_(std::move(root)) {}

  std::string Describe() const override { return S3Url(root_.bucket, root_.prefix); }
  Status PutFile(const std::string& key, const std::string& path,
                 const std::string& sha256) override;
  Status PutBytes(const std::string& key, std::string_view bytes) override;
  Result<std::string> GetBytes(const std::string& key) override;
  Status GetFile(const std::string& key, const std::string& path) override;
  Result<std::vector<StoredObject>> List(const std::string& prefix) override;
  Status Delete(const std::vector<std::string>& keys) override;

 private:
  S3Client* client_;
  S3Location root_;
};

}  // namespace spotrun::aws
