// S3Client transfers: single and multipart uploads, whole and ranged
// downloads, and the checks that catch bytes changed on the way.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cloud/aws/digest.h"
#include "cloud/aws/s3_client.h"
#include "cloud/aws/xml.h"
#include "util/encoding.h"

namespace spotrun::aws {
namespace {

constexpr long long kMaxParts = 10'000;
constexpr const char* kShaMetadata = "x-amz-meta-sha256";

std::string Unquote(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

// SSE-KMS and SSE-C objects have ETags that are not MD5s of the content.
bool EtagIsMd5(const HttpResponse& response) {
  return response.Header("x-amz-server-side-encryption").rfind("aws:kms", 0) != 0 &&
         response.Header("x-amz-server-side-encryption-customer-algorithm").empty();
}

// Compares what S3 says it stored with what was sent; kUnavailable (retried)
// when they differ.
Status CheckStored(const HttpResponse& response, const std::string& what,
                   const std::string& md5_hex, const std::string& sha256_b64) {
  std::string etag = Unquote(response.Header("ETag"));
  if (!etag.empty() && EtagIsMd5(response) && etag != md5_hex) {
    return Unavailable(what + ": the stored bytes differ from those sent (ETag " + etag +
                       ", MD5 sent " + md5_hex + ")");
  }
  std::string checksum = response.Header("x-amz-checksum-sha256");
  if (!sha256_b64.empty() && !checksum.empty() && checksum != sha256_b64) {
    return Unavailable(what + ": S3 computed another SHA-256 than the one sent");
  }
  return Status::Ok();
}

// The SHA-256 (hex) an answer says the whole object has, or "".
std::string StoredSha256(const HttpResponse& response) {
  if (std::string hex = response.Header(kShaMetadata); !hex.empty()) return hex;
  auto raw = Base64Decode(response.Header("x-amz-checksum-sha256"));
  return raw && raw->size() == 32 ? HexEncode(*raw) : "";
}

Status ReadAt(int fd, long long offset, long long length, std::string* out) {
  out->resize(size_t(length));
  long long done = 0;
  while (done < length) {
    ssize_t n = pread(fd, out->data() + done, size_t(length - done), off_t(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Internal(std::string("read failed: ") + (n < 0 ? strerror(errno) : "EOF"));
    done += n;
  }
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Internal(std::string("write failed: ") + strerror(errno));
    data.remove_prefix(size_t(n));
  }
  return Status::Ok();
}

// "bytes 0-99/1234" -> 1234; -1 when unreadable.
long long TotalFromContentRange(const std::string& range) {
  size_t slash = range.rfind('/');
  if (slash == std::string::npos || slash + 1 >= range.size() || range[slash + 1] == '*') return -1;
  return std::atoll(range.c_str() + slash + 1);
}

std::string TempName(const std::string& path) {
  static std::atomic<int> counter{0};
  return path + ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

}  // namespace

Status S3Client::PutObject(const std::string& bucket, const std::string& key,
                           std::string_view body) {
  std::string sha = Digest::Sha256(body);
  std::string md5 = Digest::Md5(body);
  Call call{"PutObject", "PUT", bucket, key};
  call.headers = {{"Content-Type", "application/octet-stream"},
                  {"Content-MD5", Base64Encode(md5)},
                  {"x-amz-sdk-checksum-algorithm", "SHA256"},
                  {"x-amz-checksum-sha256", Base64Encode(sha)},
                  {kShaMetadata, HexEncode(sha)}};
  call.body = std::string(body);
  std::string what = "s3 PutObject " + S3Url(bucket, key);
  call.check = [what, md5_hex = HexEncode(md5), sha_b64 = Base64Encode(sha)](
                   const HttpResponse& r) { return CheckStored(r, what, md5_hex, sha_b64); };
  return Send(call).status();
}

Status S3Client::PutFile(const std::string& bucket, const std::string& key, const std::string& path,
                         const std::string& sha256) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound("cannot read " + path + ": " + strerror(errno));
  struct stat st {};
  Status status;
  if (fstat(fd, &st) != 0) {
    status = Internal("cannot stat " + path + ": " + strerror(errno));
  } else if (st.st_size < options_.multipart_threshold) {
    std::string body;
    status = ReadAt(fd, 0, st.st_size, &body);
    if (status.ok() && !sha256.empty() && HexEncode(Digest::Sha256(body)) != sha256) {
      status = Unavailable(path + " does not hold the expected content (SHA-256 differs)");
    }
    if (status.ok()) status = PutObject(bucket, key, body);
  } else {
    status = PutMultipart(bucket, key, fd, st.st_size, sha256);
  }
  close(fd);
  return status;
}

Status S3Client::PutMultipart(const std::string& bucket, const std::string& key, int fd,
                              long long size, const std::string& sha256) {
  std::string sha = sha256;
  if (sha.empty()) {
    Digest digest(Digest::Kind::kSha256);
    std::string chunk;
    for (long long at = 0; at < size; at += options_.part_size) {
      SPOTRUN_RETURN_IF_ERROR(ReadAt(fd, at, std::min(options_.part_size, size - at), &chunk));
      digest.Update(chunk);
    }
    sha = HexEncode(digest.Final());
  }
  Call create{"CreateMultipartUpload", "POST", bucket, key, "uploads"};
  create.headers = {{"Content-Type", "application/octet-stream"}, {kShaMetadata, sha}};
  Result<HttpResponse> created = Send(create);
  if (!created.ok()) return created.status();
  Result<XmlNode> root = ParseXml(created->body);
  std::string upload_id = root.ok() ? root->Text("UploadId") : "";
  if (upload_id.empty()) return Unavailable("s3 CreateMultipartUpload: answer without UploadId");

  Call upload{"UploadPart", "PUT", bucket, key, "uploadId=" + PercentEncode(upload_id)};
  std::string parts, expected_etag;
  Status status = UploadParts(upload, fd, size, sha, &parts, &expected_etag);
  if (status.ok()) status = CompleteUpload(upload, parts, expected_etag, size, sha);
  if (status.ok()) return status;
  Call abort{"AbortMultipartUpload", "DELETE", bucket, key, upload.query};
  (void)Send(abort);  // Best effort: the upload failed either way.
  return status;
}

Status S3Client::CompleteUpload(const Call& upload, std::string parts,
                                const std::string& expected_etag, long long size,
                                const std::string& sha256) {
  Call complete{"CompleteMultipartUpload", "POST", upload.bucket, upload.key, upload.query};
  complete.headers = {{"Content-Type", "application/xml"}};
  complete.body = std::move(parts);
  complete.error_in_ok_body = true;
  std::string what = "s3 CompleteMultipartUpload " + S3Url(upload.bucket, upload.key);
  complete.check = [what, expected_etag](const HttpResponse& r) {
    Result<XmlNode> answer = ParseXml(r.body);
    std::string etag = answer.ok() ? Unquote(answer->Text("ETag")) : "";
    if (!etag.empty() && EtagIsMd5(r) && etag != expected_etag) {
      return Unavailable(what + ": the stored parts differ from those sent");
    }
    return Status::Ok();
  };
  Status status = Send(complete).status();
  if (status.code() == Code::kNotFound) {
    // A retry after a lost answer finds the upload completed already.
    Result<S3ObjectInfo> head = HeadObject(upload.bucket, upload.key);
    if (head.ok() && head->sha256 == sha256 && head->size == size) return Status::Ok();
  }
  return status;
}

Status S3Client::UploadParts(const Call& upload, int fd, long long size, const std::string& sha256,
                             std::string* parts, std::string* expected_etag) {
  long long part_size = std::max(options_.part_size, (size + kMaxParts - 1) / kMaxParts);
  Digest whole(Digest::Kind::kSha256);
  std::string md5s;  // Raw MD5s of the parts: S3's multipart ETag is their MD5.
  *parts = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  int number = 0;
  for (long long at = 0; at < size; at += part_size) {
    Call part = upload;
    ++number;
    part.query = "partNumber=" + std::to_string(number) + "&" + upload.query;
    SPOTRUN_RETURN_IF_ERROR(ReadAt(fd, at, std::min(part_size, size - at), &part.body));
    whole.Update(part.body);
    std::string md5 = Digest::Md5(part.body);
    md5s += md5;
    part.headers = {{"Content-Type", "application/octet-stream"},
                    {"Content-MD5", Base64Encode(md5)}};
    std::string what =
        "s3 UploadPart " + S3Url(upload.bucket, upload.key) + " part " + std::to_string(number);
    part.check = [what, md5_hex = HexEncode(md5)](const HttpResponse& r) {
      return CheckStored(r, what, md5_hex, "");
    };
    Result<HttpResponse> sent = Send(part);
    if (!sent.ok()) return sent.status();
    std::string etag = sent->Header("ETag");
    if (etag.empty()) etag = "\"" + HexEncode(md5) + "\"";
    *parts += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + etag +
              "</ETag></Part>";
  }
  *parts += "</CompleteMultipartUpload>";
  if (HexEncode(whole.Final()) != sha256) {
    return Unavailable("the file changed while it was uploaded (SHA-256 differs)");
  }
  *expected_etag = HexEncode(Digest::Md5(md5s)) + "-" + std::to_string(number);
  return Status::Ok();
}

Result<std::string> S3Client::GetObject(const std::string& bucket, const std::string& key) {
  Call call{"GetObject", "GET", bucket, key};
  call.headers = {{"x-amz-checksum-mode", "ENABLED"}};
  std::string what = "s3 GetObject " + S3Url(bucket, key);
  call.check = [what](const HttpResponse& r) {
    std::string expected = StoredSha256(r);
    if (!expected.empty() && HexEncode(Digest::Sha256(r.body)) != expected) {
      return Unavailable(what + ": the content does not match its SHA-256");
    }
    return Status::Ok();
  };
  Result<HttpResponse> response = Send(call);
  if (!response.ok()) return response.status();
  return std::move(response->body);
}

Status S3Client::GetFile(const std::string& bucket, const std::string& key,
                         const std::string& path) {
  std::string tmp = TempName(path);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Internal("cannot write " + tmp + ": " + strerror(errno));
  Status status = DownloadTo(bucket, key, fd);
  if (status.ok() && fsync(fd) != 0) status = Internal("fsync " + tmp + ": " + strerror(errno));
  if (close(fd) != 0 && status.ok()) status = Internal("close " + tmp + ": " + strerror(errno));
  if (status.ok() && rename(tmp.c_str(), path.c_str()) != 0) {
    status = Internal("cannot rename " + tmp + " to " + path + ": " + strerror(errno));
  }
  if (!status.ok()) unlink(tmp.c_str());
  return status;
}

Result<HttpResponse> S3Client::GetRange(const std::string& bucket, const std::string& key,
                                        long long offset, long long last, const std::string& etag) {
  const std::string what = "s3 GetObject " + S3Url(bucket, key);
  Call call{"GetObject", "GET", bucket, key};
  call.headers = {{"Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(last)}};
  if (!etag.empty()) call.headers.emplace_back("If-Match", etag);
  call.check = [what, offset, last](const HttpResponse& r) {
    if (r.status == 200) {
      return offset == 0 ? Status::Ok() : Unavailable(what + ": the range was ignored");
    }
    long long size = TotalFromContentRange(r.Header("Content-Range"));
    if (size < 0) return Unavailable(what + ": a range came back without Content-Range");
    if ((long long)r.body.size() != std::min(last, size - 1) - offset + 1) {
      return Unavailable(what + ": a range came back short");
    }
    return Status::Ok();
  };
  AwsError error;
  Result<HttpResponse> response = Send(call, &error);
  if (!response.ok() && error.code == "InvalidRange" && offset == 0) {
    call.headers.clear();  // An empty object has no byte 0 to ask for.
    return Send(call);
  }
  if (!response.ok() && error.code == "PreconditionFailed") {
    return Unavailable(what + ": the object was replaced during the download");
  }
  return response;
}

Status S3Client::DownloadTo(const std::string& bucket, const std::string& key, int fd) {
  Digest digest(Digest::Kind::kSha256);
  long long offset = 0, total = -1;  // total: the object's size once known.
  std::string etag, expected;
  while (total < 0 || offset < total) {
    long long last = offset + options_.part_size - 1;
    if (total >= 0) last = std::min(last, total - 1);
    Result<HttpResponse> response = GetRange(bucket, key, offset, last, etag);
    if (!response.ok()) return response.status();
    bool whole = response->status == 200;
    long long size = whole ? (long long)response->body.size()
                           : TotalFromContentRange(response->Header("Content-Range"));
    if (total < 0) {
      etag = response->Header("ETag");
      expected = StoredSha256(*response);
    } else if (size != total) {
      return Unavailable("s3 GetObject " + S3Url(bucket, key) +
                         ": the object changed size during the download");
    }
    total = size;
    SPOTRUN_RETURN_IF_ERROR(WriteAll(fd, response->body));
    digest.Update(response->body);
    offset += (long long)response->body.size();
    if (whole) break;
  }
  if (!expected.empty() && HexEncode(digest.Final()) != expected) {
    return Unavailable("s3 GetObject " + S3Url(bucket, key) +
                       ": the content does not match its SHA-256");
  }
  return Status::Ok();
}

}  // namespace spotrun::aws
