// PriceListClient: on-demand prices from AWS's Price List API (service
// "pricing", JSON protocol, target AWSPriceListService.GetProducts), for
// instance types the bundled snapshot lacks. One signed POST per question
// (SigV4, region us-east-1, where the API lives); no retries beyond one
// question: a price that cannot be had is reported unknown, not guessed.
#pragma once

#include <string>

#include "cloud/aws/credentials.h"
#include "util/clock.h"
#include "util/http_client.h"
#include "util/status.h"

namespace spotrun::aws {

// The Price List API's public endpoint (AwsConfig::pricing_endpoint).
inline constexpr const char* kPriceListEndpoint = "https://api.pricing.us-east-1.amazonaws.com";

class PriceListClient {
 public:
  // `http`, `credentials` and `clock` are not owned and must outlive the
  // client. `endpoint` like kPriceListEndpoint, no trailing '/'. Safe to use
  // from several threads at once.
  PriceListClient(HttpClient* http, CredentialProvider* credentials, Clock* clock,
                  std::string endpoint);

  // USD/h of `instance_type` on-demand in `region` (Linux, shared tenancy,
  // no pre-installed software). kNotFound when the list has no such product
  // or no USD price; kUnavailable/kAuth when the API cannot be asked.
  Result<double> OnDemandPrice(const std::string& instance_type, const std::string& region);

  // The GetProducts request body OnDemandPrice sends; exposed for tests.
  static std::string RequestBody(const std::string& instance_type, const std::string& region);
  // The first on-demand USD price per hour in a GetProducts answer.
  static Result<double> ParseOnDemandPrice(const std::string& answer);

 private:
  HttpClient* http_;
  CredentialProvider* credentials_;
  Clock* clock_;
  std::string endpoint_;
};

}  // namespace spotrun::aws
