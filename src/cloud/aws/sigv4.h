// AWS Signature Version 4, header form
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
// Written out rather than delegated to libcurl's CURLOPT_AWS_SIGV4 so that the
// canonical request and string to sign can be checked against the official
// test suite and botocore (tests/unit/sigv4_*_test.cc).
#pragma once

#include <string>
#include <string_view>

#include "cloud/aws/credentials.h"
#include "util/http_client.h"

namespace spotrun::aws {

struct SigV4Options {
  std::string region;   // "us-east-1"
  std::string service;  // "ec2"
  double time = 0;      // When the request is signed, epoch seconds (UTC).
  // Remove "." / ".." segments and repeated slashes from the path before
  // encoding it (every service but S3).
  bool normalize_path = true;
  // The URL's path is already percent-encoded, as S3 object keys are on the
  // wire: it is decoded once before the canonical encoding, so that the
  // canonical URI is the path encoded once (S3) rather than twice.
  bool path_is_encoded = false;
  // Add and sign "x-amz-content-sha256: <hex SHA-256 of the body>" (S3).
  bool sign_body = false;
  // Sign X-Amz-Security-Token (botocore does); when false it is added after
  // signing.
  bool sign_session_token = true;
};

// The intermediate strings and result of one signature.
struct SigV4Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // Lower-case hex.
  std::string authorization;  // Value of the Authorization header.
};

// Signs `request` in place. Sets X-Amz-Date from options.time; adds a Host
// header derived from the URL when there is none; adds X-Amz-Security-Token
// when the credentials carry a session token, x-amz-content-sha256 when
// options.sign_body, and finally Authorization (replacing any earlier one).
// Every header but hop-by-hop ones and User-Agent is signed.
// REQUIRES: request->url is absolute ("scheme://host/...").
SigV4Signature SignV4(const Credentials& credentials, const SigV4Options& options,
                      HttpRequest* request);

// "20150830T123600Z" for `time` (epoch seconds, UTC).
std::string AmzDate(double time);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace spotrun::aws
