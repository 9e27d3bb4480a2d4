// AWS settings resolved the way the AWS CLI resolves them, from an injected
// environment map (never getenv) and the shared files it names:
//
//   profile      overrides.profile > AWS_PROFILE > AWS_DEFAULT_PROFILE > "default"
//   files        AWS_CONFIG_FILE (~/.aws/config, sections "[default]" and
//                "[profile NAME]"), AWS_SHARED_CREDENTIALS_FILE
//                (~/.aws/credentials, sections "[NAME]"); absent files are empty
//   credentials  AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
//                skipped when overrides.profile is set, as with `aws --profile`;
//                then the profile's keys in the credentials file; then its
//                credential_process; then its keys in the config file
//   region       overrides.region > AWS_REGION > AWS_DEFAULT_REGION >
//                the profile's region > overrides.default_region
//   endpoints    overrides > AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL_S3 >
//                AWS_ENDPOINT_URL > "[services NAME]" block of the profile's
//                "services" > the profile's endpoint_url > https://SERVICE.REGION.amazonaws.com;
//                AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
//                ignore_configured_endpoint_urls) keeps only the overrides
//
// Every error names the variable, file or profile to fix.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "cloud/aws/credentials.h"
#include "util/clock.h"
#include "util/status.h"

namespace spotrun::aws {

using Environment = std::map<std::string, std::string>;

// The process environment as a map; only main() should call this.
Environment ProcessEnvironment();

// Values from the command line or the job, beating the environment.
struct AwsOverrides {
  std::string profile;           // Like `aws --profile`; "" = not given.
  std::string region;            // Like `aws --region`; "" = not given.
  std::string default_region;    // Used only when nothing else names a region.
  std::string ec2_endpoint_url;  // Like `aws ec2 --endpoint-url`.
  std::string s3_endpoint_url;   // Like `aws s3 --endpoint-url`.
};

struct AwsConfig {
  std::string profile;       // The profile in effect.
  std::string region;        // Never empty.
  std::string ec2_endpoint;  // "https://ec2.us-east-1.amazonaws.com", no trailing '/'.
  std::string s3_endpoint;   // "https://s3.us-east-1.amazonaws.com".
  // The Price List API (kPriceListEndpoint), or AWS_ENDPOINT_URL_PRICING /
  // AWS_ENDPOINT_URL and the profile's like the others; "" when EC2's
  // endpoint is overridden and pricing's is not (a test or proxy endpoint
  // never leads to the real price list).
  std::string pricing_endpoint;
  int max_attempts = 0;  // AWS_MAX_ATTEMPTS or the profile's max_attempts; 0 = not set.
  std::shared_ptr<CredentialProvider> credentials;  // Never null.
};

// Resolves everything above. `clock` (not owned, must outlive the result)
// times credential_process refreshes. Fails with kInvalidArgument for a
// missing region or a malformed file or value, and kAuth when no complete set
// of credentials is configured.
Result<AwsConfig> LoadAwsConfig(const Environment& env, const AwsOverrides& overrides,
                                Clock* clock);

// The default public endpoint of `service` ("ec2", "s3") in `region`.
std::string DefaultEndpoint(const std::string& service, const std::string& region);

}  // namespace spotrun::aws
