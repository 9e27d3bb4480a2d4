#include "cloud/aws/s3_client.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "cloud/aws/digest.h"
#include "cloud/aws/sigv4.h"
#include "cloud/aws/xml.h"
#include "util/encoding.h"

namespace spotrun::aws {
namespace {

constexpr int kMaxPages = 100'000;
constexpr size_t kDeleteBatch = 1000;

bool OneOf(const std::string& code, std::initializer_list<std::string_view> codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

bool IsNotFoundCode(const std::string& code) {
  return OneOf(code, {"NoSuchKey", "NoSuchBucket", "NoSuchUpload", "NotFound"});
}

// S3 codes retried beyond the generic throttling/5xx set: the body arrived
// damaged or incomplete.
bool IsS3RetryCode(const std::string& code) {
  return OneOf(code, {"BadDigest", "XAmzContentSHA256Mismatch", "IncompleteBody"});
}

// The IAM action an AccessDenied answer to `action` asks for.
std::string IamAction(const std::string& action) {
  if (OneOf(action, {"CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"})) {
    return "PutObject";
  }
  if (action == "HeadObject") return "GetObject";
  if (action == "ListObjectsV2") return "ListBucket";
  if (action == "DeleteObjects") return "DeleteObject";
  return action;
}

// HEAD answers carry no body, so the code comes from the status alone.
std::string CodeForBodylessStatus(int status) {
  switch (status) {
    case 301:
      return "PermanentRedirect";
    case 403:
      return "AccessDenied";
    case 404:
      return "NotFound";
    case 412:
      return "PreconditionFailed";
    default:
      return "";
  }
}

std::string Md5Header(std::string_view body) { return Base64Encode(Digest::Md5(body)); }

}  // namespace

std::string S3Url(const std::string& bucket, const std::string& key) {
  return "s3://" + bucket + "/" + key;
}

S3ClientOptions S3OptionsFor(const AwsConfig& config) {
  S3ClientOptions options;
  options.endpoint = config.s3_endpoint;
  options.region = config.region;
  options.path_style = config.s3_endpoint != DefaultEndpoint("s3", config.region);
  if (config.max_attempts > 0) options.max_attempts = config.max_attempts;
  return options;
}

S3Client::S3Client(HttpClient* http, CredentialProvider* credentials, Clock* clock,
                   S3ClientOptions options)
    : http_(http),
      credentials_(credentials),
      clock_(clock),
      options_(std::move(options)),
      rng_(options_.seed) {
  options_.max_attempts = std::max(1, options_.max_attempts);
  options_.part_size = std::max(1LL, options_.part_size);
  while (!options_.endpoint.empty() && options_.endpoint.back() == '/')
    options_.endpoint.pop_back();
}

double S3Client::Backoff(int attempt) {
  double cap =
      std::min(options_.max_backoff_s, options_.base_backoff_s * std::ldexp(1.0, attempt - 1));
  std::lock_guard<std::mutex> lock(rng_mu_);
  return std::uniform_real_distribution<double>(0, cap)(rng_);
}

std::string S3Client::Url(const Call& call) const {
  std::string path = call.key.empty() ? "" : "/" + PercentEncode(call.key, /*keep_slash=*/true);
  std::string query = call.query.empty() ? "" : "?" + call.query;
  if (options_.path_style || call.bucket.find('.') != std::string::npos) {
    return options_.endpoint + "/" + call.bucket + (path.empty() ? "" : path) + query;
  }
  size_t host = options_.endpoint.find("://");
  host = host == std::string::npos ? 0 : host + 3;
  return options_.endpoint.substr(0, host) + call.bucket + "." + options_.endpoint.substr(host) +
         (path.empty() ? "/" : path) + query;
}

Status S3Client::FailureOf(const Call& call, const HttpResponse& response,
                           const Credentials& credentials, AwsError* error_out) const {
  AwsError error = ParseAwsError(response.status, response.body);
  if (error.code.rfind("HTTP ", 0) == 0) {
    if (std::string code = CodeForBodylessStatus(response.status); !code.empty()) error.code = code;
  }
  if (error_out != nullptr) *error_out = error;
  const std::string iam = IamAction(call.action);
  Status status = ErrorStatus(error, "s3", iam, credentials);
  // ErrorStatus names the IAM action; the message names the call and object.
  std::string message = "s3 " + call.action + " " + S3Url(call.bucket, call.key) +
                        status.message().substr(3 + iam.size());
  if (std::string region = response.Header("x-amz-bucket-region");
      !region.empty() && region != options_.region) {
    message += "; the bucket is in region " + region + ": set AWS_REGION or the profile's region";
  }
  Code code = status.code();
  if (IsNotFoundCode(error.code)) code = Code::kNotFound;
  if (IsS3RetryCode(error.code)) code = Code::kUnavailable;
  return Status(code, credentials.Redact(message));
}

Result<HttpResponse> S3Client::Send(const Call& call, AwsError* error_out) {
  for (int attempt = 1;; ++attempt) {
    Result<Credentials> credentials = credentials_->Get();
    if (!credentials.ok()) return credentials.status();
    HttpRequest request;
    request.method = call.method;
    request.url = Url(call);
    request.headers = call.headers;
    request.headers.emplace_back("User-Agent", "spotrun");
    request.body = call.body;
    request.timeout_s = options_.timeout_s;
    SigV4Options sign;
    sign.region = options_.region;
    sign.service = "s3";
    sign.time = clock_->Now();
    sign.normalize_path = false;
    sign.path_is_encoded = true;
    sign.sign_body = true;
    SignV4(*credentials, sign, &request);

    Result<HttpResponse> response = http_->Send(request);
    if (error_out != nullptr) *error_out = AwsError();
    Status failure;
    if (!response.ok()) {
      if (response.status().code() != Code::kUnavailable) return response.status();
      failure = Unavailable("s3 " + call.action + " " + S3Url(call.bucket, call.key) + ": " +
                            response.status().message());
    } else if (response->status >= 200 && response->status < 300 &&
               !(call.error_in_ok_body && response->body.find("<Error>") != std::string::npos)) {
      if (!call.check) return response;
      failure = call.check(*response);
      if (failure.ok()) return response;
      if (failure.code() != Code::kUnavailable) return failure;
    } else {
      failure = FailureOf(call, *response, *credentials, error_out);
      if (failure.code() != Code::kUnavailable) return failure;
    }
    if (attempt >= options_.max_attempts) {
      return Unavailable(failure.message() + " (gave up after " + std::to_string(attempt) +
                         " attempts)");
    }
    clock_->Sleep(Backoff(attempt));
  }
}

Status S3Client::CreateBucket(const std::string& bucket) {
  Call call{"CreateBucket", "PUT", bucket};
  if (options_.region != "us-east-1") {
    call.body =
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>" +
        XmlEscape(options_.region) + "</LocationConstraint></CreateBucketConfiguration>";
    call.headers.emplace_back("Content-Type", "application/xml");
  }
  AwsError error;
  Result<HttpResponse> response = Send(call, &error);
  if (!response.ok() && error.code == "BucketAlreadyOwnedByYou") return Status::Ok();
  return response.status();
}

Result<S3ObjectInfo> S3Client::HeadObject(const std::string& bucket, const std::string& key) {
  Result<HttpResponse> response = Send(Call("HeadObject", "HEAD", bucket, key));
  if (!response.ok()) return response.status();
  S3ObjectInfo info;
  info.key = key;
  info.size = std::atoll(response->Header("Content-Length").c_str());
  info.etag = response->Header("ETag");
  info.sha256 = response->Header("x-amz-meta-sha256");
  if (info.sha256.empty()) {
    if (auto raw = Base64Decode(response->Header("x-amz-checksum-sha256"));
        raw && raw->size() == 32) {
      info.sha256 = HexEncode(*raw);
    }
  }
  return info;
}

Result<std::vector<S3ObjectInfo>> S3Client::ListObjects(const std::string& bucket,
                                                        const std::string& prefix, int page_size) {
  std::vector<S3ObjectInfo> objects;
  std::string token;
  page_size = std::clamp(page_size, 1, 1000);
  for (int page = 0; page < kMaxPages; ++page) {
    Call call{"ListObjectsV2", "GET", bucket};
    call.query =
        "list-type=2&max-keys=" + std::to_string(page_size) + "&prefix=" + PercentEncode(prefix);
    if (!token.empty()) call.query += "&continuation-token=" + PercentEncode(token);
    Result<HttpResponse> response = Send(call);
    if (!response.ok()) return response.status();
    Result<XmlNode> root = ParseXml(response->body);
    if (!root.ok()) {
      return Unavailable("s3 ListObjectsV2 " + S3Url(bucket, prefix) +
                         ": unreadable answer: " + root.status().message());
    }
    for (const XmlNode& child : root->children) {
      if (child.name != "Contents") continue;
      S3ObjectInfo info;
      info.key = child.Text("Key");
      info.size = std::atoll(child.Text("Size").c_str());
      info.etag = child.Text("ETag");
      objects.push_back(std::move(info));
    }
    if (root->Text("IsTruncated") != "true") return objects;
    std::string next = root->Text("NextContinuationToken");
    if (next.empty() || next == token) {
      return Internal("s3 ListObjectsV2 " + S3Url(bucket, prefix) +
                      ": truncated answer without a new continuation token");
    }
    token = next;
  }
  return Internal("s3 ListObjectsV2 " + S3Url(bucket, prefix) + ": too many pages");
}

Status S3Client::DeleteObject(const std::string& bucket, const std::string& key) {
  Result<HttpResponse> response = Send(Call("DeleteObject", "DELETE", bucket, key));
  if (!response.ok() && response.status().code() == Code::kNotFound &&
      response.status().message().find("NoSuchBucket") == std::string::npos) {
    return Status::Ok();
  }
  return response.status();
}

Status S3Client::DeleteObjects(const std::string& bucket, const std::vector<std::string>& keys) {
  for (size_t start = 0; start < keys.size(); start += kDeleteBatch) {
    Call call{"DeleteObjects", "POST", bucket};
    call.query = "delete";
    call.body = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>";
    for (size_t i = start; i < std::min(keys.size(), start + kDeleteBatch); ++i) {
      call.body += "<Object><Key>" + XmlEscape(keys[i]) + "</Key></Object>";
    }
    call.body += "</Delete>";
    call.headers = {{"Content-Type", "application/xml"}, {"Content-MD5", Md5Header(call.body)}};
    Result<HttpResponse> response = Send(call);
    if (!response.ok()) return response.status();
    Result<XmlNode> root = ParseXml(response->body);
    if (!root.ok()) return Unavailable("s3 DeleteObjects: unreadable answer");
    for (const XmlNode& child : root->children) {
      if (child.name != "Error" || child.Text("Code") == "NoSuchKey") continue;
      AwsError error{200, child.Text("Code"), child.Text("Message"), ""};
      return Status(ClassifyError(error) == ErrorKind::kAuth ? Code::kAuth : Code::kUnavailable,
                    "s3 DeleteObjects " + S3Url(bucket, child.Text("Key")) + ": " + error.code +
                        ": " + error.message);
    }
  }
  return Status::Ok();
}

}  // namespace spotrun::aws
