// EC2 Query API answers, read by Ec2Client's real code. The first byte picks
// the call; the rest is an answer script (fuzz_support.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cloud/aws/ec2_client.h"
#include "fuzz_support.h"

namespace spotrun::aws {
namespace {

void CallOne(Ec2Client& ec2, uint8_t which) {
  switch (which % 13) {
    case 0:
      (void)ec2.DescribeInstances({{"i-1"}, {}});
      break;
    case 1:
      (void)ec2.DescribeSpotPriceHistory({{"g5.xlarge"}});
      break;
    case 2:
      (void)ec2.DescribeInstanceTypes({"g5.xlarge"});
      break;
    case 3:
      (void)ec2.DescribeImages({{"amazon"}, {}, {}});
      break;
    case 4:
      (void)ec2.DescribeAvailabilityZones();
      break;
    case 5:
      (void)ec2.CreateKeyPair("k", {{"spotrun:job-id", "j"}});
      break;
    case 6:
      (void)ec2.DescribeKeyPairs({});
      break;
    case 7:
      (void)ec2.CreateSecurityGroup("g", "d", "", {});
      break;
    case 8:
      (void)ec2.DescribeSecurityGroups({});
      break;
    case 9:
      (void)ec2.TerminateInstances({"i-1", "i-2"});
      break;
    case 10:
      (void)ec2.GetConsoleOutput("i-1");
      break;
    case 11:
      (void)ec2.DeleteSecurityGroup("sg-1");
      break;
    default: {
      RunInstancesRequest request;
      request.image_id = "ami-1";
      request.instance_type = "g5.xlarge";
      (void)ec2.RunInstances(request);
    }
  }
}

}  // namespace
}  // namespace spotrun::aws

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace spotrun;
  if (size == 0) return 0;
  fuzz::ScriptedAnswers http(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  aws::StaticCredentialProvider credentials({"AKIDEXAMPLE", "secret", "", 0, "fuzz"});
  ManualClock clock(1'440'938'160);
  aws::Ec2ClientOptions options{"http://127.0.0.1:9", "us-east-1"};
  options.max_attempts = 3;
  aws::Ec2Client ec2(&http, &credentials, &clock, options);
  aws::CallOne(ec2, data[0]);
  return 0;
}
