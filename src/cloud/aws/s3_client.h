// S3Client: Amazon S3's REST API over an HttpClient, each request signed with
// SigV4 (service "s3") with x-amz-content-sha256 set to the SHA-256 of its
// body, so that S3 rejects a body changed in transit. URLs are path-style
// ("ENDPOINT/BUCKET/KEY", what moto, MinIO and endpoint overrides such as
// AWS_ENDPOINT_URL_S3 need) or virtual-hosted ("SCHEME://BUCKET.HOST/KEY").
//
// Integrity: every object this client stores carries its SHA-256 as user
// metadata (x-amz-meta-sha256). Uploads send Content-MD5 (and, for single
// PUTs, x-amz-checksum-sha256) for S3 to check, and the client compares the
// returned ETag with the MD5 of what it sent (skipped under SSE-KMS/SSE-C,
// whose ETags are not MD5s). Downloads are checked against x-amz-meta-sha256,
// else against x-amz-checksum-sha256 when S3 returns one.
//
// Retries and errors follow Ec2Client: throttling (SlowDown, ...), 5xx,
// dropped connections, BadDigest and answers that fail the checks above are
// retried up to max_attempts with full-jitter backoff on the injected Clock;
// the final Status names the call, the object and the S3 error code:
// kNotFound (NoSuchKey, NoSuchBucket, NoSuchUpload, HEAD 404), kAuth
// (AccessDenied, SignatureDoesNotMatch, InvalidAccessKeyId, expired tokens),
// kUnavailable (gave up retrying), kInvalidArgument (anything else).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/aws/aws_config.h"
#include "cloud/aws/aws_errors.h"
#include "cloud/aws/credentials.h"
#include "util/clock.h"
#include "util/http_client.h"

namespace spotrun::aws {

struct S3ClientOptions {
  // "https://s3.us-east-1.amazonaws.com" or "http://127.0.0.1:PORT", no
  // trailing '/' (AwsConfig::s3_endpoint).
  std::string endpoint;
  std::string region;  // Signing region, "us-east-1".
  // Path-style URLs; false = virtual-hosted (bucket names with '.' still go
  // path-style, as a dotted host would not match the TLS certificate).
  bool path_style = true;
  int max_attempts = 5;  // Tries per request, the first included.
  // Before try n+1 the client sleeps uniform(0, min(max_backoff_s,
  // base_backoff_s * 2^(n-1))) seconds.
  double base_backoff_s = 0.5;
  double max_backoff_s = 20;
  double timeout_s = 300;  // Per HTTP request: one part of part_size must fit.
  // PutFile sends files of at least this many bytes as a multipart upload.
  long long multipart_threshold = 16LL << 20;
  // Bytes per uploaded part and per ranged GET: what is held in memory at
  // once. S3 wants parts of at least 5 MiB but the last; raised when a file
  // would need more than 10,000 parts.
  long long part_size = 16LL << 20;
  uint64_t seed = 0;  // Seeds the backoff jitter.
};

// Options for `config`: its endpoint, region and max_attempts (when set);
// path-style unless the endpoint is AWS's default one for the region.
S3ClientOptions S3OptionsFor(const AwsConfig& config);

struct S3ObjectInfo {
  std::string key;
  long long size = 0;
  std::string etag;  // As S3 sends it, quotes included.
  // Lower-case hex SHA-256 of the content from x-amz-meta-sha256 (or
  // x-amz-checksum-sha256); "" when unknown. Filled by HeadObject only.
  std::string sha256;
};

class S3Client {
 public:
  // `http`, `credentials` and `clock` are not owned and must outlive the
  // client. Safe to use from several threads at once.
  S3Client(HttpClient* http, CredentialProvider* credentials, Clock* clock,
           S3ClientOptions options);

  // Creates `bucket` in the client's region. Succeeds when the caller owns
  // it already.
  Status CreateBucket(const std::string& bucket);

  // Stores `body` as one object (PUT).
  Status PutObject(const std::string& bucket, const std::string& key, std::string_view body);
  // Stores the file at `path`: one PUT below multipart_threshold, else a
  // multipart upload reading one part at a time from disk (aborted when it
  // fails, so no parts are left behind). `sha256` (hex) is what the caller
  // expects the file to hold, "" = compute it first; when the bytes read
  // differ the call fails with kUnavailable and nothing is stored.
  Status PutFile(const std::string& bucket, const std::string& key, const std::string& path,
                 const std::string& sha256 = "");

  // The whole object, checked as described above.
  Result<std::string> GetObject(const std::string& bucket, const std::string& key);
  // Writes the object to `path` in ranged GETs of part_size (pinned to the
  // first answer's ETag with If-Match), through "<path>.tmp-<pid>-<n>" in the
  // same directory, fsynced, checked and renamed over `path` only when
  // complete. On failure `path` is untouched and the temporary file removed.
  // REQUIRES: the parent directory of `path` exists.
  Status GetFile(const std::string& bucket, const std::string& key, const std::string& path);
  Result<S3ObjectInfo> HeadObject(const std::string& bucket, const std::string& key);

  // Every object under `prefix` in key order (ListObjectsV2, following
  // continuation tokens), `page_size` (1..1000) keys per request.
  Result<std::vector<S3ObjectInfo>> ListObjects(const std::string& bucket,
                                                const std::string& prefix, int page_size = 1000);
  // Deleting a key that does not exist succeeds.
  Status DeleteObject(const std::string& bucket, const std::string& key);
  // Deletes `keys` in batches of 1,000 (DeleteObjects); fails with the first
  // key S3 could not delete.
  Status DeleteObjects(const std::string& bucket, const std::vector<std::string>& keys);

  const S3ClientOptions& options() const { return options_; }

 private:
  // One S3 call as sent; retried as a whole by Send.
  struct Call {
    Call(std::string action, std::string method, std::string bucket, std::string key = "",
         std::string query = "")
        : action(std::move(action)),
          method(std::move(method)),
          bucket(std::move(bucket)),
          key(std::move(key)),
          query(std::move(query)) {}
    std::string action;  // "PutObject": names the call in messages and IAM hints.
    std::string method;
    std::string bucket;
    std::string key;    // "" = the bucket itself.
    std::string query;  // Already encoded: "uploads", "partNumber=1&uploadId=...".
    HttpHeaders headers;
    std::string body;
    // CompleteMultipartUpload can answer 200 with an <Error> document.
    bool error_in_ok_body = false;
    // Checks a 2xx answer; kUnavailable = retry, any other failure is final.
    std::function<Status(const HttpResponse&)> check;
  };

  // Sends `call` with retries and returns its 2xx answer. When it fails on an
  // error answer and `error` is not null, *error receives its code.
  Result<HttpResponse> Send(const Call& call, AwsError* error = nullptr);
  Status FailureOf(const Call& call, const HttpResponse& response, const Credentials& credentials,
                   AwsError* error) const;
  std::string Url(const Call& call) const;
  double Backoff(int attempt);

  // Transfers (s3_transfer.cc).
  Status PutMultipart(const std::string& bucket, const std::string& key, int fd, long long size,
                      const std::string& sha256);
  // Sends the parts; *parts receives the CompleteMultipartUpload document and
  // *expected_etag the ETag S3 should give the whole object.
  Status UploadParts(const Call& upload, int fd, long long size, const std::string& sha256,
                     std::string* parts, std::string* expected_etag);
  Status CompleteUpload(const Call& upload, std::string parts, const std::string& expected_etag,
                        long long size, const std::string& sha256);
  // GETs bytes offset..last (If-Match `etag` unless ""), or the whole object
  // when the server answers 200 or the object is empty.
  Result<HttpResponse> GetRange(const std::string& bucket, const std::string& key, long long offset,
                                long long last, const std::string& etag);
  Status DownloadTo(const std::string& bucket, const std::string& key, int fd);

  HttpClient* http_;
  CredentialProvider* credentials_;
  Clock* clock_;
  S3ClientOptions options_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

// "s3://bucket/key" for messages.
std::string S3Url(const std::string& bucket, const std::string& key);

}  // namespace spotrun::aws
