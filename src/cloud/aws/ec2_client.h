// Ec2Client: the EC2 Query API (version 2016-11-15) over an HttpClient.
// Each call is a form-encoded POST signed with SigV4 (service "ec2"); the XML
// answer is read by local element names; paginated calls follow NextToken to
// the end. Transient failures (throttling, 5xx, dropped connections) are
// retried up to max_attempts with exponential backoff and full jitter, slept
// on the injected Clock; other errors come back at once, mapped as described
// in aws_errors.h, each message carrying the AWS error code.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "cloud/aws/aws_errors.h"
#include "cloud/aws/credentials.h"
#include "cloud/aws/ec2_query.h"
#include "cloud/aws/ec2_types.h"
#include "cloud/aws/xml.h"
#include "util/clock.h"
#include "util/http_client.h"

namespace spotrun::aws {

struct Ec2ClientOptions {
  std::string endpoint;  // "https://ec2.us-east-1.amazonaws.com" (AwsConfig::ec2_endpoint).
  std::string region;    // Signing region, "us-east-1".
  int max_attempts = 5;  // Tries per call, the first included.
  // Before try n+1 the client sleeps uniform(0, min(max_backoff_s,
  // base_backoff_s * 2^(n-1))) seconds ("full jitter").
  double base_backoff_s = 0.5;
  double max_backoff_s = 20;
  double timeout_s = 30;  // Per HTTP request.
  uint64_t seed = 0;      // Seeds the jitter and generated client tokens.
};

class Ec2Client {
 public:
  // `http`, `credentials` and `clock` are not owned and must outlive the
  // client. Safe to use from several threads at once.
  Ec2Client(HttpClient* http, CredentialProvider* credentials, Clock* clock,
            Ec2ClientOptions options);

  // Sends one call (with retries) and returns the root element of the answer.
  // When it fails on an error answer from the service and `error` is not
  // null, *error receives that answer's code and message.
  Result<XmlNode> Call(const QueryParams& params, AwsError* error = nullptr);
  // Sends `params` page after page (adding NextToken) and hands each answer's
  // root to `on_page`; stops at the first error, from the call or `on_page`.
  Status CallPaged(QueryParams params, const std::function<Status(const XmlNode&)>& on_page);

  // Prices of spot pools, newest first per pool as EC2 returns them.
  Result<std::vector<SpotPrice>> DescribeSpotPriceHistory(const SpotPriceQuery& query);
  // `types` empty = every type (many pages).
  Result<std::vector<InstanceTypeInfo>> DescribeInstanceTypes(
      const std::vector<std::string>& types);
  Result<std::vector<Image>> DescribeImages(const ImageQuery& query);
  // Zones of the client's region.
  Result<std::vector<AvailabilityZone>> DescribeAvailabilityZones();

  // Creates an ed25519 key pair; the result holds the private key.
  Result<KeyPair> CreateKeyPair(const std::string& name, const Tags& tags);
  // Registers an OpenSSH public key line ("ssh-ed25519 AAAA... comment").
  Result<KeyPair> ImportKeyPair(const std::string& name, const std::string& public_key,
                                const Tags& tags);
  // Deleting a key pair that does not exist succeeds.
  Status DeleteKeyPair(const std::string& name);
  Result<std::vector<KeyPair>> DescribeKeyPairs(const std::vector<Ec2Filter>& filters);

  // Returns the new group's id. `vpc_id` "" = the default VPC.
  Result<std::string> CreateSecurityGroup(const std::string& name, const std::string& description,
                                          const std::string& vpc_id, const Tags& tags);
  // Adding a rule that already exists succeeds.
  Status AuthorizeSecurityGroupIngress(const std::string& group_id,
                                       const std::vector<IngressRule>& rules);
  // Fails with kUnavailable (DependencyViolation) while an instance still uses
  // the group; deleting a group that does not exist succeeds.
  Status DeleteSecurityGroup(const std::string& group_id);
  Result<std::vector<SecurityGroup>> DescribeSecurityGroups(const std::vector<Ec2Filter>& filters);

  // Launches request.count instances (all or none).
  Result<std::vector<Ec2Instance>> RunInstances(const RunInstancesRequest& request);
  Result<std::vector<Ec2Instance>> DescribeInstances(const DescribeInstancesRequest& request);
  // Terminating an already terminated instance succeeds.
  Result<std::vector<InstanceStateChange>> TerminateInstances(const std::vector<std::string>& ids);
  Result<ConsoleOutput> GetConsoleOutput(const std::string& instance_id, bool latest = false);

  // The form parameters RunInstances would send for `request` (with
  // `client_token` filled in); exposed so that tests can check the wire.
  static QueryParams RunInstancesParams(const RunInstancesRequest& request,
                                        const std::string& client_token);

 private:
  double Backoff(int attempt);
  std::string NewClientToken();

  HttpClient* http_;
  CredentialProvider* credentials_;
  Clock* clock_;
  Ec2ClientOptions options_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

}  // namespace spotrun::aws
