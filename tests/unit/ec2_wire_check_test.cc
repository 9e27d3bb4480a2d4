// Checks every form body Ec2Client sends, and every canned answer the unit
// tests read, against botocore's EC2 model (tests/tools/ec2_wire_check.py,
// run under python3; skipped when python3 has no botocore).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cloud/aws/ec2_client.h"
#include "recording_http_client.h"
#include "test_process.h"

namespace spotrun::aws {
namespace {

// Makes every call once against a recording fake and returns the bodies sent.
std::vector<std::string> AllRequestBodies() {
  test::RecordingHttpClient http;
  StaticCredentialProvider credentials({"AKIA", "secret", "", 0, "tests"});
  ManualClock clock;
  Ec2Client client(&http, &credentials, &clock, {"http://127.0.0.1:9", "us-east-1"});
  RunInstancesRequest run;
  run.image_id = "ami-0abcdef1234567890";
  run.instance_type = "g5.xlarge";
  run.key_name = "k";
  run.security_group_ids = {"sg-1", "sg-2"};
  run.subnet_id = "subnet-1";
  run.availability_zone = "us-east-1a";
  run.max_price = 1.25;
  run.root_volume_gb = 120;
  run.tags = {{"spotrun:job-id", "j"}, {"spotrun:owner", "me"}};
  run.user_data = "#!/bin/sh\necho hi\n";
  run.iam_instance_profile = "trainer";
  http.Respond(200,
               "<RunInstancesResponse><instancesSet><item/></instancesSet></RunInstancesResponse>");
  (void)client.RunInstances(run);
  (void)client.DescribeInstances({{"i-1", "i-2"}, {}});
  (void)client.DescribeInstances(
      {{}, {{"tag:spotrun:job-id", {"j"}}, {"instance-state-name", {"pending", "running"}}}});
  (void)client.TerminateInstances({"i-1"});
  (void)client.GetConsoleOutput("i-1", true);
  (void)client.DescribeSpotPriceHistory(
      {{"g5.xlarge", "p3.2xlarge"}, {"Linux/UNIX"}, "us-east-1a", 1.7e9, 1000});
  (void)client.DescribeInstanceTypes({"g5.xlarge"});
  (void)client.DescribeImages(
      {{"099720109477"}, {}, {{"name", {"ubuntu/*"}}, {"state", {"available"}}}});
  (void)client.DescribeAvailabilityZones();
  (void)client.CreateKeyPair("k", {{"spotrun:job-id", "j"}});
  (void)client.ImportKeyPair("k", "ssh-ed25519 AAAA me", {{"spotrun:job-id", "j"}});
  (void)client.DeleteKeyPair("k");
  (void)client.DescribeKeyPairs({{"tag:spotrun:job-id", {"j"}}});
  (void)client.CreateSecurityGroup("g", "d", "vpc-1", {{"spotrun:job-id", "j"}});
  (void)client.AuthorizeSecurityGroupIngress(
      "sg-1", {{"tcp", 22, 22, {"203.0.113.7/32", "198.51.100.0/24"}, "ssh"}});
  (void)client.DeleteSecurityGroup("sg-1");
  (void)client.DescribeSecurityGroups({{"tag-key", {"spotrun:job-id"}}});
  std::vector<std::string> bodies;
  for (const auto& request : http.requests) bodies.push_back(request.body);
  return bodies;
}

std::string Canned(const std::string& name) {
  std::ifstream in(std::string(SPOTRUN_SOURCE_DIR) + "/tests/data/ec2/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Ec2WireCheckBotocoreTest, RequestsAndCannedAnswersMatchTheBotocoreModel) {
  if (!test::HaveBotocore()) GTEST_SKIP() << "python3 with botocore is not available";
  std::vector<std::string> bodies = AllRequestBodies();
  ASSERT_EQ(bodies.size(), 17u);
  std::vector<std::pair<std::string, std::string>> answers = {
      {"RunInstances", "run_instances.xml"},
      {"DescribeInstances", "describe_instances_page1.xml"},
      {"DescribeSpotPriceHistory", "spot_price_page1.xml"},
      {"DescribeSpotPriceHistory", "spot_price_page2.xml"},
      {"DescribeInstanceTypes", "describe_instance_types.xml"},
      {"DescribeImages", "describe_images.xml"},
      {"DescribeAvailabilityZones", "describe_availability_zones.xml"},
      {"CreateKeyPair", "create_key_pair.xml"},
      {"DescribeSecurityGroups", "describe_security_groups.xml"},
      {"TerminateInstances", "terminate_instances.xml"},
      {"GetConsoleOutput", "get_console_output.xml"}};
  nlohmann::json batch = {{"requests", bodies}, {"responses", nlohmann::json::array()}};
  for (const auto& [action, file] : answers) batch["responses"].push_back({action, Canned(file)});
  auto run = test::RunCaptured({"python3", test::SourcePath("tests/tools/ec2_wire_batch.py")},
                               batch.dump(), 120);
  ASSERT_TRUE(run.has_value());
  ASSERT_EQ(run->exit_code, 0) << run->out;
  auto result = nlohmann::json::parse(run->out);
  for (size_t i = 0; i < bodies.size(); ++i) {
    EXPECT_TRUE(result["requests"][i].empty()) << bodies[i] << "\n"
                                               << result["requests"][i].dump(1);
  }
  for (size_t i = 0; i < answers.size(); ++i) {
    EXPECT_TRUE(result["responses"][i].empty()) << answers[i].second << "\n"
                                                << result["responses"][i].dump(1);
  }
}

}  // namespace
}  // namespace spotrun::aws
