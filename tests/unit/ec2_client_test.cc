// Ec2Client against a recording fake HttpClient: the wire parameters and
// headers of each call, and the values read from canned answers
// (tests/data/ec2/*.xml, checked by botocore's parser in ec2_wire_check_test).
#include "cloud/aws/ec2_client.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "recording_http_client.h"

namespace spotrun::aws {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::string Canned(const std::string& name) {
  std::ifstream in(std::string(SPOTRUN_SOURCE_DIR) + "/tests/data/ec2/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << name;
  return ss.str();
}

class Ec2ClientTest : public testing::Test {
 protected:
  Ec2ClientTest()
      : credentials_({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", 0, "tests"}),
        client_(&http_, &credentials_, &clock_, {"http://127.0.0.1:9", "us-east-1"}) {}

  test::RecordingHttpClient http_;
  StaticCredentialProvider credentials_;
  ManualClock clock_{1'440'938'160};  // 2015-08-30T12:36:00Z
  Ec2Client client_;
};

RunInstancesRequest SpotRequest() {
  RunInstancesRequest r;
  r.image_id = "ami-0abcdef1234567890";
  r.instance_type = "g5.xlarge";
  r.key_name = "spotrun-job-42";
  r.security_group_ids = {"sg-0123456789abcdef0"};
  r.availability_zone = "us-east-1b";
  r.max_price = 0.5;
  r.root_volume_gb = 200;
  r.tags = {{"spotrun:job-id", "job-42"}, {"Name", "spotrun-job-42"}};
  r.user_data = "echo hi";
  r.client_token = "job-42-attempt-1";
  return r;
}

TEST_F(Ec2ClientTest, RunInstancesSendsSpotOptionsTagsDiskAndUserData) {
  http_.Respond(200, Canned("run_instances.xml"));
  Result<std::vector<Ec2Instance>> run = client_.RunInstances(SpotRequest());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(http_.requests.size(), 1u);
  EXPECT_EQ(http_.Params(0),
            (Pairs{{"Action", "RunInstances"},
                   {"Version", "2016-11-15"},
                   {"ImageId", "ami-0abcdef1234567890"},
                   {"InstanceType", "g5.xlarge"},
                   {"MinCount", "1"},
                   {"MaxCount", "1"},
                   {"KeyName", "spotrun-job-42"},
                   {"SecurityGroupId.1", "sg-0123456789abcdef0"},
                   {"Placement.AvailabilityZone", "us-east-1b"},
                   {"BlockDeviceMapping.1.DeviceName", "/dev/sda1"},
                   {"BlockDeviceMapping.1.Ebs.VolumeSize", "200"},
                   {"BlockDeviceMapping.1.Ebs.VolumeType", "gp3"},
                   {"BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true"},
                   {"InstanceMarketOptions.MarketType", "spot"},
                   {"InstanceMarketOptions.SpotOptions.MaxPrice", "0.5"},
                   {"InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time"},
                   {"InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", "terminate"},
                   {"TagSpecification.1.ResourceType", "instance"},
                   {"TagSpecification.1.Tag.1.Key", "Name"},
                   {"TagSpecification.1.Tag.1.Value", "spotrun-job-42"},
                   {"TagSpecification.1.Tag.2.Key", "spotrun:job-id"},
                   {"TagSpecification.1.Tag.2.Value", "job-42"},
                   {"TagSpecification.2.ResourceType", "volume"},
                   {"TagSpecification.2.Tag.1.Key", "Name"},
                   {"TagSpecification.2.Tag.1.Value", "spotrun-job-42"},
                   {"TagSpecification.2.Tag.2.Key", "spotrun:job-id"},
                   {"TagSpecification.2.Tag.2.Value", "job-42"},
                   {"UserData", "ZWNobyBoaQ=="},
                   {"ClientToken", "job-42-attempt-1"},
                   {"InstanceInitiatedShutdownBehavior", "terminate"},
                   {"MetadataOptions.HttpTokens", "required"},
                   {"MetadataOptions.HttpEndpoint", "enabled"}}));
  const Ec2Instance& instance = run->at(0);
  EXPECT_EQ(instance.instance_id, "i-0new0000000000001");
  EXPECT_EQ(instance.state, "pending");
  EXPECT_EQ(instance.availability_zone, "us-east-1b");
  EXPECT_EQ(instance.lifecycle, "spot");
  EXPECT_EQ(instance.launch_time, 1'714'566'896);
  EXPECT_EQ(instance.tags.at("spotrun:job-id"), "job-42");
}

TEST_F(Ec2ClientTest, RequestsAreSignedFormPosts) {
  ASSERT_TRUE(client_.DescribeAvailabilityZones().ok());
  const HttpRequest& request = http_.requests.at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "http://127.0.0.1:9/");
  EXPECT_EQ(request.body, "Action=DescribeAvailabilityZones&Version=2016-11-15");
  EXPECT_EQ(http_.Header(0, "Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(http_.Header(0, "Host"), "127.0.0.1:9");
  EXPECT_EQ(http_.Header(0, "X-Amz-Date"), "20150830T123600Z");
  EXPECT_EQ(
      http_.Header(0, "Authorization")
          .rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, "
                 "SignedHeaders=content-type;host;x-amz-date, Signature=",
                 0),
      0u);
  EXPECT_EQ(http_.Header(0, "X-Amz-Security-Token"), "");
}

TEST_F(Ec2ClientTest, SessionTokenIsSentAndSigned) {
  StaticCredentialProvider temporary({"ASIAEXAMPLE", "secret", "the-token", 0, "tests"});
  Ec2Client client(&http_, &temporary, &clock_,
                   {"https://ec2.eu-west-1.amazonaws.com", "eu-west-1"});
  ASSERT_TRUE(client.DescribeAvailabilityZones().ok());
  EXPECT_EQ(http_.Header(0, "X-Amz-Security-Token"), "the-token");
  EXPECT_EQ(http_.Header(0, "Host"), "ec2.eu-west-1.amazonaws.com");
  EXPECT_NE(http_.Header(0, "Authorization")
                .find("/eu-west-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                      "x-amz-security-token, "),
            std::string::npos);
}

TEST_F(Ec2ClientTest, OnDemandWithoutDiskOrTokenGetsAGeneratedToken) {
  RunInstancesRequest r;
  r.image_id = "ami-1";
  r.instance_type = "c6i.large";
  r.spot = false;
  r.terminate_on_shutdown = false;
  r.require_imdsv2 = false;
  http_.Respond(200, Canned("run_instances.xml"));
  ASSERT_TRUE(client_.RunInstances(r).ok());
  EXPECT_EQ(http_.Param(0, "InstanceMarketOptions.MarketType"), "");
  EXPECT_EQ(http_.Param(0, "BlockDeviceMapping.1.DeviceName"), "");
  EXPECT_EQ(http_.Param(0, "InstanceInitiatedShutdownBehavior"), "stop");
  EXPECT_EQ(http_.Param(0, "ClientToken").rfind("spotrun-", 0), 0u);
  EXPECT_EQ(http_.Param(0, "ClientToken").size(), 32u);
  r.image_id.clear();
  EXPECT_EQ(client_.RunInstances(r).status().code(), Code::kInvalidArgument);
}

TEST_F(Ec2ClientTest, DescribeInstancesFollowsNextTokenAndReadsBothXmlStyles) {
  http_.Respond(200, Canned("describe_instances_page1.xml"));
  http_.Respond(200, Canned("describe_instances_page2.xml"));
  Result<std::vector<Ec2Instance>> found = client_.DescribeInstances(
      {{}, {{"tag:spotrun:job-id", {"job-42"}}, {"instance-state-name", {"pending", "running"}}}});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(http_.requests.size(), 2u);
  EXPECT_EQ(http_.Params(0), (Pairs{{"Action", "DescribeInstances"},
                                    {"Version", "2016-11-15"},
                                    {"Filter.1.Name", "tag:spotrun:job-id"},
                                    {"Filter.1.Value.1", "job-42"},
                                    {"Filter.2.Name", "instance-state-name"},
                                    {"Filter.2.Value.1", "pending"},
                                    {"Filter.2.Value.2", "running"}}));
  EXPECT_EQ(http_.Param(1, "NextToken"), "page-2");
  EXPECT_EQ(http_.Param(1, "Filter.1.Name"), "tag:spotrun:job-id");
  ASSERT_EQ(found->size(), 2u);
  const Ec2Instance& a = found->at(0);
  EXPECT_EQ(a.instance_id, "i-0aaa1111bbbb2222c");
  EXPECT_EQ(a.state, "running");
  EXPECT_EQ(a.state_code, 16);
  EXPECT_EQ(a.public_ip, "203.0.113.25");
  EXPECT_EQ(a.public_dns, "ec2-203-0-113-25.compute-1.amazonaws.com");
  EXPECT_EQ(a.private_ip, "172.31.5.10");
  EXPECT_EQ(a.key_name, "spotrun-job-42");
  EXPECT_EQ(a.spot_request_id, "sir-abc123");
  EXPECT_EQ(a.security_group_ids, std::vector<std::string>{"sg-0123456789abcdef0"});
  EXPECT_EQ(a.subnet_id, "subnet-0123");
  EXPECT_EQ(a.vpc_id, "vpc-0456");
  EXPECT_EQ(a.tags.at("Name"), "spotrun & friends");
  const Ec2Instance& b = found->at(1);
  EXPECT_EQ(b.instance_id, "i-0ccc3333dddd4444e");
  EXPECT_EQ(b.state, "terminated");
  EXPECT_EQ(b.state_code, 48);
  EXPECT_EQ(b.state_reason_code, "Server.SpotInstanceTermination");
  EXPECT_TRUE(b.tags.empty());
}

TEST_F(Ec2ClientTest, SpotPriceHistoryPagesAndKeepsDecimalStrings) {
  http_.Respond(200, Canned("spot_price_page1.xml"));
  http_.Respond(200, Canned("spot_price_page2.xml"));
  SpotPriceQuery query;
  query.instance_types = {"g5.xlarge", "g4dn.xlarge"};
  query.start_time = 1'714'521'600;  // 2024-05-01T00:00:00Z
  query.max_results = 100;
  Result<std::vector<SpotPrice>> prices = client_.DescribeSpotPriceHistory(query);
  ASSERT_TRUE(prices.ok()) << prices.status().ToString();
  EXPECT_EQ(http_.Params(0), (Pairs{{"Action", "DescribeSpotPriceHistory"},
                                    {"Version", "2016-11-15"},
                                    {"InstanceType.1", "g5.xlarge"},
                                    {"InstanceType.2", "g4dn.xlarge"},
                                    {"ProductDescription.1", "Linux/UNIX"},
                                    {"StartTime", "2024-05-01T00:00:00Z"},
                                    {"MaxResults", "100"}}));
  EXPECT_EQ(http_.Param(1, "NextToken"), "tok-1");
  ASSERT_EQ(prices->size(), 3u);
  EXPECT_EQ(prices->at(0).price, "0.402100");
  EXPECT_DOUBLE_EQ(prices->at(0).price_usd, 0.4021);
  EXPECT_EQ(prices->at(0).availability_zone, "us-east-1a");
  EXPECT_EQ(prices->at(0).timestamp, 1'714'557'600);
  EXPECT_EQ(prices->at(2).instance_type, "g4dn.xlarge");
}

TEST_F(Ec2ClientTest, RepeatedNextTokenStopsPaging) {
  http_.Respond(200, Canned("spot_price_page1.xml"));
  http_.Respond(200, Canned("spot_price_page1.xml"));
  Result<std::vector<SpotPrice>> prices = client_.DescribeSpotPriceHistory({});
  ASSERT_FALSE(prices.ok());
  EXPECT_EQ(prices.status().code(), Code::kInternal);
  EXPECT_EQ(http_.requests.size(), 2u);
}

TEST_F(Ec2ClientTest, InstanceTypesImagesAndZones) {
  http_.Respond(200, Canned("describe_instance_types.xml"));
  Result<std::vector<InstanceTypeInfo>> types =
      client_.DescribeInstanceTypes({"g5.xlarge", "c6i.large"});
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  EXPECT_EQ(http_.Param(0, "InstanceType.2"), "c6i.large");
  ASSERT_EQ(types->size(), 2u);
  EXPECT_EQ(types->at(0).vcpus, 4);
  EXPECT_EQ(types->at(0).memory_mib, 16384);
  EXPECT_EQ(types->at(0).gpu_name, "A10G");
  EXPECT_EQ(types->at(0).gpu_manufacturer, "NVIDIA");
  EXPECT_EQ(types->at(0).gpu_count, 1);
  EXPECT_EQ(types->at(0).gpu_memory_mib, 22888);
  EXPECT_EQ(types->at(0).usage_classes, (std::vector<std::string>{"on-demand", "spot"}));
  EXPECT_EQ(types->at(0).architectures, std::vector<std::string>{"x86_64"});
  EXPECT_EQ(types->at(1).gpu_count, 0);

  http_.Respond(200, Canned("describe_images.xml"));
  ImageQuery query;
  query.owners = {"099720109477"};
  query.filters = {{"name", {"ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"}},
                   {"state", {"available"}}};
  Result<std::vector<Image>> images = client_.DescribeImages(query);
  ASSERT_TRUE(images.ok());
  EXPECT_EQ(http_.Param(1, "Owner.1"), "099720109477");
  EXPECT_EQ(http_.Param(1, "Filter.1.Value.1"),
            "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*");
  EXPECT_EQ(http_.Param(1, "Filter.2.Name"), "state");
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ(images->at(0).image_id, "ami-0abcdef1234567890");
  EXPECT_EQ(images->at(0).root_device_name, "/dev/sda1");
  EXPECT_EQ(images->at(0).root_volume_gb, 8);
  EXPECT_EQ(images->at(0).owner_id, "099720109477");
  EXPECT_EQ(images->at(0).creation_date, "2024-05-01T00:00:00.000Z");

  http_.Respond(200, Canned("describe_availability_zones.xml"));
  Result<std::vector<AvailabilityZone>> zones = client_.DescribeAvailabilityZones();
  ASSERT_TRUE(zones.ok());
  ASSERT_EQ(zones->size(), 2u);
  EXPECT_EQ(zones->at(1).name, "us-east-1b");
  EXPECT_EQ(zones->at(1).zone_id, "use1-az1");
  EXPECT_EQ(zones->at(1).state, "available");
  EXPECT_EQ(zones->at(1).region, "us-east-1");
}

TEST_F(Ec2ClientTest, KeyPairs) {
  http_.Respond(200, Canned("create_key_pair.xml"));
  Result<KeyPair> key = client_.CreateKeyPair("spotrun-job-42", {{"spotrun:job-id", "job-42"}});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(http_.Params(0), (Pairs{{"Action", "CreateKeyPair"},
                                    {"Version", "2016-11-15"},
                                    {"KeyName", "spotrun-job-42"},
                                    {"KeyType", "ed25519"},
                                    {"TagSpecification.1.ResourceType", "key-pair"},
                                    {"TagSpecification.1.Tag.1.Key", "spotrun:job-id"},
                                    {"TagSpecification.1.Tag.1.Value", "job-42"}}));
  EXPECT_EQ(key->key_pair_id, "key-0123456789abcdef0");
  EXPECT_EQ(key->fingerprint, "SHA256:abcdef");
  EXPECT_EQ(key->key_material.rfind("-----BEGIN OPENSSH PRIVATE KEY-----\n", 0), 0u);
  EXPECT_EQ(key->tags.at("spotrun:job-id"), "job-42");

  ASSERT_TRUE(client_.ImportKeyPair("k2", "ssh-ed25519 AAAAC3Nz me@host", {}).ok());
  EXPECT_EQ(http_.Param(1, "PublicKeyMaterial"), "c3NoLWVkMjU1MTkgQUFBQUMzTnogbWVAaG9zdA==");
  EXPECT_EQ(http_.Params(1).size(), 4u);  // No TagSpecification without tags.

  http_.Respond(400,
                "<Response><Errors><Error><Code>InvalidKeyPair.NotFound</Code>"
                "<Message>gone</Message></Error></Errors></Response>");
  EXPECT_TRUE(client_.DeleteKeyPair("k2").ok());
  EXPECT_EQ(http_.Param(2, "KeyName"), "k2");

  http_.Respond(200,
                "<DescribeKeyPairsResponse><keySet><item><keyName>a</keyName>"
                "<keyPairId>key-1</keyPairId></item></keySet></DescribeKeyPairsResponse>");
  Result<std::vector<KeyPair>> keys = client_.DescribeKeyPairs({{"tag-key", {"spotrun:job-id"}}});
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(http_.Param(3, "Filter.1.Name"), "tag-key");
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->at(0).key_pair_id, "key-1");
}

TEST_F(Ec2ClientTest, SecurityGroups) {
  http_.Respond(
      200, "<CreateSecurityGroupResponse><groupId>sg-1</groupId></CreateSecurityGroupResponse>");
  Result<std::string> id = client_.CreateSecurityGroup("spotrun-job-42", "spotrun job job-42", "",
                                                       {{"spotrun:job-id", "job-42"}});
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "sg-1");
  EXPECT_EQ(http_.Param(0, "GroupDescription"), "spotrun job job-42");
  EXPECT_EQ(http_.Param(0, "VpcId"), "");
  EXPECT_EQ(http_.Param(0, "TagSpecification.1.ResourceType"), "security-group");

  IngressRule ssh;
  ssh.cidrs = {"203.0.113.7/32"};
  ssh.description = "spotrun ssh";
  ASSERT_TRUE(client_.AuthorizeSecurityGroupIngress("sg-1", {ssh}).ok());
  EXPECT_EQ(http_.Params(1), (Pairs{{"Action", "AuthorizeSecurityGroupIngress"},
                                    {"Version", "2016-11-15"},
                                    {"GroupId", "sg-1"},
                                    {"IpPermissions.1.IpProtocol", "tcp"},
                                    {"IpPermissions.1.FromPort", "22"},
                                    {"IpPermissions.1.ToPort", "22"},
                                    {"IpPermissions.1.IpRanges.1.CidrIp", "203.0.113.7/32"},
                                    {"IpPermissions.1.IpRanges.1.Description", "spotrun ssh"}}));
  http_.Respond(400,
                "<Response><Errors><Error><Code>InvalidPermission.Duplicate</Code>"
                "<Message>exists</Message></Error></Errors></Response>");
  EXPECT_TRUE(client_.AuthorizeSecurityGroupIngress("sg-1", {ssh}).ok());

  http_.Respond(400,
                "<Response><Errors><Error><Code>DependencyViolation</Code>"
                "<Message>in use</Message></Error></Errors></Response>");
  Status busy = client_.DeleteSecurityGroup("sg-1");
  EXPECT_EQ(busy.code(), Code::kUnavailable);
  EXPECT_EQ(busy.message(), "ec2 DeleteSecurityGroup: DependencyViolation: in use");
  EXPECT_EQ(http_.requests.size(), 4u);  // Not retried by the client.

  http_.Respond(200, Canned("describe_security_groups.xml"));
  Result<std::vector<SecurityGroup>> groups =
      client_.DescribeSecurityGroups({{"tag:spotrun:job-id", {"job-42"}}});
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ(groups->at(0).group_id, "sg-0123456789abcdef0");
  EXPECT_EQ(groups->at(0).group_name, "spotrun-job-42");
  EXPECT_EQ(groups->at(0).vpc_id, "vpc-0456");
  EXPECT_EQ(groups->at(0).tags.at("spotrun:job-id"), "job-42");
}

TEST_F(Ec2ClientTest, TerminateAndConsoleOutput) {
  http_.Respond(200, Canned("terminate_instances.xml"));
  Result<std::vector<InstanceStateChange>> changes =
      client_.TerminateInstances({"i-0aaa1111bbbb2222c"});
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(http_.Param(0, "InstanceId.1"), "i-0aaa1111bbbb2222c");
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ(changes->at(0).previous_state, "running");
  EXPECT_EQ(changes->at(0).current_state, "shutting-down");

  http_.Respond(200, Canned("get_console_output.xml"));
  Result<ConsoleOutput> console = client_.GetConsoleOutput("i-0aaa1111bbbb2222c", true);
  ASSERT_TRUE(console.ok()) << console.status().ToString();
  EXPECT_EQ(http_.Param(1, "Latest"), "true");
  EXPECT_EQ(console->output,
            "-----BEGIN SSH HOST KEY KEYS-----\n"
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample root@ip-172-31-5-10\n"
            "-----END SSH HOST KEY KEYS-----\n");
  EXPECT_EQ(console->timestamp, 1'714'567'200);

  EXPECT_TRUE(client_.TerminateInstances({}).ok());
  EXPECT_EQ(http_.requests.size(), 2u);  // Nothing to send.
}

}  // namespace
}  // namespace spotrun::aws
