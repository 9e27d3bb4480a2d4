#include "cloud/aws/aws_errors.h"

#include <algorithm>
#include <initializer_list>

#include "cloud/aws/xml.h"

namespace spotrun::aws {
namespace {

constexpr size_t kMaxMessage = 300;

bool OneOf(const std::string& code, std::initializer_list<std::string_view> codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

bool IsRetryableCode(const std::string& code) {
  return OneOf(code, {"Throttling",
                      "ThrottlingException",
                      "ThrottledException",
                      "RequestThrottledException",
                      "RequestThrottled",
                      "TooManyRequestsException",
                      "RequestLimitExceeded",
                      "EC2ThrottledException",
                      "BandwidthLimitExceeded",
                      "LimitExceededException",
                      "SlowDown",
                      "PriorRequestNotComplete",
                      "ProvisionedThroughputExceededException",
                      "TransactionInProgressException",
                      "RequestTimeout",
                      "RequestTimeoutException",
                      "InternalError",
                      "InternalFailure",
                      "ServerInternal",
                      "ServiceUnavailable",
                      "Unavailable"});
}

bool IsCapacityCode(const std::string& code) {
  return OneOf(
      code, {"InsufficientInstanceCapacity", "InsufficientCapacity", "InsufficientHostCapacity",
             "InsufficientAddressCapacity", "InsufficientVolumeCapacity",
             "InsufficientReservedInstanceCapacity", "UnfulfillableCapacity", "SpotMaxPriceTooLow",
             "Unsupported", "MaxSpotInstanceCountExceeded", "VcpuLimitExceeded",
             "InstanceLimitExceeded"});
}

bool IsAuthCode(const std::string& code) {
  return OneOf(code, {"AuthFailure", "UnauthorizedOperation", "InvalidClientTokenId",
                      "SignatureDoesNotMatch", "AccessDenied", "AccessDeniedException",
                      "InvalidAccessKeyId", "MissingAuthenticationToken", "ExpiredToken",
                      "RequestExpired", "OptInRequired", "Blocked"});
}

// What the user should do about an auth or capacity error.
std::string Hint(const AwsError& error, const std::string& service, const std::string& action,
                 const Credentials& credentials) {
  const std::string& code = error.code;
  std::string who = credentials.ToString();
  if (OneOf(code, {"UnauthorizedOperation", "AccessDenied", "AccessDeniedException"})) {
    return "grant " + service + ":" + action + " to the IAM identity of " + who;
  }
  if (code == "SignatureDoesNotMatch") return "check the secret key of " + who;
  if (OneOf(code, {"ExpiredToken", "RequestExpired"})) {
    return "refresh the session credentials (" + who + ") and check the system clock";
  }
  if (code == "OptInRequired") return "enable this region or service for the account of " + who;
  if (code == "SpotMaxPriceTooLow") return "raise or drop the maximum spot price";
  if (IsAuthCode(code)) return "check " + who;
  if (IsCapacityCode(code)) return "try another zone, instance type or region";
  return "";
}

// Newlines become spaces; long text is cut.
std::string OneLine(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  if (text.size() > kMaxMessage) text = text.substr(0, kMaxMessage) + "...";
  return text;
}

}  // namespace

AwsError ParseAwsError(int http_status, std::string_view body) {
  AwsError error;
  error.http_status = http_status;
  if (Result<XmlNode> root = ParseXml(body); root.ok()) {
    if (const XmlNode* e = root->Descendant("Error")) {
      error.code = e->Text("Code");
      error.message = e->Text("Message");
    }
    for (const char* name : {"RequestID", "RequestId", "requestId"}) {
      const XmlNode* id = root->Descendant(name);
      if (id != nullptr && error.request_id.empty()) error.request_id = id->Text("");
    }
  }
  if (error.code.empty()) error.code = "HTTP " + std::to_string(http_status);
  return error;
}

ErrorKind ClassifyError(const AwsError& error) {
  const std::string& code = error.code;
  if (IsCapacityCode(code)) return ErrorKind::kCapacity;
  if (IsAuthCode(code)) return ErrorKind::kAuth;
  if (IsRetryableCode(code) || error.http_status >= 500) return ErrorKind::kRetry;
  if (code.ends_with(".NotFound") || code == "NotFound") return ErrorKind::kNotFound;
  if (OneOf(code, {"DependencyViolation", "IncorrectState", "IncorrectInstanceState"})) {
    return ErrorKind::kBusy;
  }
  return ErrorKind::kInvalid;
}

Status ErrorStatus(const AwsError& error, const std::string& service, const std::string& action,
                   const Credentials& credentials) {
  std::string message = service + " " + action + ": " + error.code;
  if (!error.message.empty()) message += ": " + OneLine(error.message);
  if (std::string hint = Hint(error, service, action, credentials); !hint.empty()) {
    message += "; " + hint;
  }
  if (!error.request_id.empty()) message += " (request " + error.request_id + ")";
  message = credentials.Redact(message);
  switch (ClassifyError(error)) {
    case ErrorKind::kRetry:
    case ErrorKind::kBusy:
      return Unavailable(message);
    case ErrorKind::kCapacity:
      return CapacityError(message);
    case ErrorKind::kAuth:
      return AuthError(message);
    case ErrorKind::kNotFound:
      return NotFound(message);
    case ErrorKind::kInvalid:
      return InvalidArgument(message);
  }
  return InvalidArgument(message);
}

}  // namespace spotrun::aws
