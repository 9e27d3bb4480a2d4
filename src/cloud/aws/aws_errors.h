// AWS Query API errors: parsing the error XML and deciding what each code
// means for the caller. Retried by the client (with backoff): throttling
// codes, other transient codes, HTTP 5xx and dropped connections. Surfaced as
// kCapacity (try elsewhere): InsufficientInstanceCapacity and its kin,
// SpotMaxPriceTooLow, Unsupported, spot/vCPU quotas. Surfaced as kAuth (stop,
// fix the credentials): AuthFailure, UnauthorizedOperation,
// InvalidClientTokenId, SignatureDoesNotMatch, AccessDenied, expired tokens.
#pragma once

#include <string>
#include <string_view>

#include "cloud/aws/credentials.h"
#include "util/status.h"

namespace spotrun::aws {

struct AwsError {
  int http_status = 0;
  std::string code;  // "RequestLimitExceeded"; "HTTP 503" when the body names none.
  std::string message;
  std::string request_id;
};

// Reads the first Error/Code and Error/Message below any root (EC2's
// <Response><Errors><Error>, the <ErrorResponse><Error> of IAM, STS and moto).
AwsError ParseAwsError(int http_status, std::string_view body);

enum class ErrorKind {
  kRetry,     // Transient: retry after a backoff.
  kCapacity,  // This type/zone/price cannot be had now.
  kAuth,      // Credentials, signature, clock or permissions.
  kNotFound,  // "*.NotFound".
  kBusy,      // A resource is in the wrong state for now (DependencyViolation).
  kInvalid,   // Anything else the service rejected.
};

ErrorKind ClassifyError(const AwsError& error);

// The final Status for `error` from `service` `action` ("ec2", "RunInstances"):
// one line, "ec2 RunInstances: <Code>: <message>", plus what to fix for
// auth and capacity errors (naming where `credentials` came from). Secrets
// are redacted and the message is shortened to a few hundred characters.
Status ErrorStatus(const AwsError& error, const std::string& service, const std::string& action,
                   const Credentials& credentials);

}  // namespace spotrun::aws
