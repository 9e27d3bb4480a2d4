#include "cloud/aws/ec2_client.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "cloud/aws/sigv4.h"

namespace spotrun::aws {
namespace {

constexpr int kMaxPages = 10'000;

}  // namespace

Ec2Client::Ec2Client(HttpClient* http, CredentialProvider* credentials, Clock* clock,
                     Ec2ClientOptions options)
    : http_(http),
      credentials_(credentials),
      clock_(clock),
      options_(std::move(options)),
      rng_(options_.seed) {
  options_.max_attempts = std::max(1, options_.max_attempts);
}

double Ec2Client::Backoff(int attempt) {
  double cap =
      std::min(options_.max_backoff_s, options_.base_backoff_s * std::ldexp(1.0, attempt - 1));
  std::lock_guard<std::mutex> lock(rng_mu_);
  return std::uniform_real_distribution<double>(0, cap)(rng_);
}

std::string Ec2Client::NewClientToken() {
  std::lock_guard<std::mutex> lock(rng_mu_);
  char token[40];
  std::snprintf(token, sizeof(token), "spotrun-%016llx%08llx", (unsigned long long)rng_(),
                (unsigned long long)(rng_() & 0xffffffffULL));
  return token;
}

Result<XmlNode> Ec2Client::Call(const QueryParams& params, AwsError* error_out) {
  const std::string& action = params.action();
  std::string body = params.Encode();
  for (int attempt = 1;; ++attempt) {
    Result<Credentials> credentials = credentials_->Get();
    if (!credentials.ok()) return credentials.status();
    HttpRequest request;
    request.method = "POST";
    request.url = options_.endpoint + "/";
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                       {"User-Agent", "spotrun"}};
    request.body = body;
    request.timeout_s = options_.timeout_s;
    SignV4(*credentials, {options_.region, "ec2", clock_->Now()}, &request);

    Result<HttpResponse> response = http_->Send(request);
    if (error_out != nullptr) *error_out = AwsError();
    Status failure;
    if (!response.ok()) {
      if (response.status().code() != Code::kUnavailable) return response.status();
      failure = Unavailable("ec2 " + action + ": " + response.status().message());
    } else if (response->status >= 200 && response->status < 300) {
      Result<XmlNode> root = ParseXml(response->body);
      if (root.ok()) return root;
      failure = Unavailable("ec2 " + action + ": unreadable answer: " + root.status().message());
    } else {
      AwsError error = ParseAwsError(response->status, response->body);
      if (error_out != nullptr) *error_out = error;
      failure = ErrorStatus(error, "ec2", action, *credentials);
      if (ClassifyError(error) != ErrorKind::kRetry) return failure;
    }
    if (attempt >= options_.max_attempts) {
      return Unavailable(failure.message() + " (gave up after " + std::to_string(attempt) +
                         " attempts)");
    }
    clock_->Sleep(Backoff(attempt));
  }
}

Status Ec2Client::CallPaged(QueryParams params,
                            const std::function<Status(const XmlNode&)>& on_page) {
  std::set<std::string> seen_tokens;
  std::string token;
  for (int page = 0; page < kMaxPages; ++page) {
    QueryParams this_page = params;
    this_page.AddIfSet("NextToken", token);
    Result<XmlNode> root = Call(this_page);
    if (!root.ok()) return root.status();
    SPOTRUN_RETURN_IF_ERROR(on_page(*root));
    token = root->Text("nextToken");
    if (token.empty()) return Status::Ok();
    if (!seen_tokens.insert(token).second) {
      return Internal("ec2 " + params.action() + ": the service repeated a NextToken");
    }
  }
  return Internal("ec2 " + params.action() + ": more than 10000 pages");
}

}  // namespace spotrun::aws
