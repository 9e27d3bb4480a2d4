#include "cloud/aws/s3_object_store.h"

#include <algorithm>

namespace spotrun::aws {
namespace {

bool ValidBucket(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!ok) return false;
  }
  return name.front() != '.' && name.front() != '-' && name.back() != '.' && name.back() != '-';
}

bool ValidPrefix(std::string_view prefix) {
  size_t start = 0;
  while (start < prefix.size()) {
    size_t end = std::min(prefix.find('/', start), prefix.size());
    std::string_view segment = prefix.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

Result<S3Location> ParseS3Url(std::string_view url) {
  const std::string quoted = "'" + std::string(url) + "'";
  if (url.rfind("s3://", 0) != 0) return InvalidArgument(quoted + " is not an s3:// URL");
  std::string_view rest = url.substr(5);
  size_t slash = rest.find('/');
  S3Location location;
  location.bucket = std::string(rest.substr(0, slash));
  if (!ValidBucket(location.bucket)) {
    return InvalidArgument(quoted + ": '" + location.bucket +
                           "' is not a valid bucket name (3-63 of a-z 0-9 . -)");
  }
  if (slash == std::string_view::npos) return location;
  std::string_view prefix = rest.substr(slash + 1);
  if (prefix.ends_with('/')) prefix.remove_suffix(1);
  if (!ValidPrefix(prefix)) {
    return InvalidArgument(quoted + ": the key prefix has an empty, '.' or '..' segment");
  }
  if (!prefix.empty()) location.prefix = std::string(prefix) + "/";
  return location;
}

Status S3ObjectStore::PutFile(const std::string& key, const std::string& path,
                              const std::string& sha256) {
  return client_->PutFile(root_.bucket, root_.prefix + key, path, sha256);
}

Status S3ObjectStore::PutBytes(const std::string& key, std::string_view bytes) {
  return client_->PutObject(root_.bucket, root_.prefix + key, bytes);
}

Result<std::string> S3ObjectStore::GetBytes(const std::string& key) {
  return client_->GetObject(root_.bucket, root_.prefix + key);
}

Status S3ObjectStore::GetFile(const std::string& key, const std::string& path) {
  return client_->GetFile(root_.bucket, root_.prefix + key, path);
}

Result<std::vector<StoredObject>> S3ObjectStore::List(const std::string& prefix) {
  Result<std::vector<S3ObjectInfo>> listed =
      client_->ListObjects(root_.bucket, root_.prefix + prefix);
  if (!listed.ok()) return listed.status();
  std::vector<StoredObject> objects;
  for (const S3ObjectInfo& info : *listed) {
    objects.push_back({info.key.substr(root_.prefix.size()), info.size});
  }
  return objects;
}

Status S3ObjectStore::Delete(const std::vector<std::string>& keys) {
  std::vector<std::string> full;
  for (const std::string& key : keys) full.push_back(root_.prefix + key);
  return client_->DeleteObjects(root_.bucket, full);
}

}  // namespace spotrun::aws
