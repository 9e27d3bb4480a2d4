// Ec2Client over CurlHttpClient against a real moto_server on 127.0.0.1 (a
// port moto picks; started once for the suite, killed at the end). Skipped
// when moto_server is not installed.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "cloud/aws/ec2_client.h"
#include "test_process.h"

namespace spotrun::aws {
namespace {

class Ec2MotoTest : public test::MotoSuite<Ec2MotoTest> {
 protected:
  void SetUp() override {
    test::MotoSuite<Ec2MotoTest>::SetUp();
    if (IsSkipped()) return;
    Ec2ClientOptions options;
    options.endpoint = moto_->url();
    options.region = "us-east-1";
    options.max_attempts = 2;
    options.timeout_s = 60;
    client_ = std::make_unique<Ec2Client>(&http_, &credentials_, &clock_, options);
  }

  CurlHttpClient http_;
  StaticCredentialProvider credentials_{{"AKIAMOTOTESTING00000", "testing", "", 0, "tests"}};
  RealClock clock_;
  std::unique_ptr<Ec2Client> client_;
};

const Tags kJobTags = {{"spotrun:job-id", "moto-1"}, {"spotrun:managed-by", "spotrun"}};

TEST_F(Ec2MotoTest, MarketQueries) {
  Result<std::vector<SpotPrice>> prices = client_->DescribeSpotPriceHistory({{"g5.xlarge"}});
  ASSERT_TRUE(prices.ok()) << prices.status().ToString();
  ASSERT_FALSE(prices->empty());
  EXPECT_EQ(prices->at(0).instance_type, "g5.xlarge");
  EXPECT_GT(prices->at(0).price_usd, 0);
  EXPECT_EQ(prices->at(0).availability_zone.rfind("us-east-1", 0), 0u);

  Result<std::vector<AvailabilityZone>> zones = client_->DescribeAvailabilityZones();
  ASSERT_TRUE(zones.ok()) << zones.status().ToString();
  ASSERT_GE(zones->size(), 3u);
  EXPECT_EQ(zones->at(0).region, "us-east-1");

  Result<std::vector<InstanceTypeInfo>> types = client_->DescribeInstanceTypes({"g5.xlarge"});
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  ASSERT_EQ(types->size(), 1u);
  EXPECT_EQ(types->at(0).vcpus, 4);
  EXPECT_EQ(types->at(0).gpu_count, 1);
  EXPECT_EQ(types->at(0).gpu_manufacturer, "NVIDIA");

  Result<std::vector<Image>> images = client_->DescribeImages(
      {{"099720109477"}, {}, {{"name", {"ubuntu/images/hvm-ssd/ubuntu-*"}}}});
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  ASSERT_FALSE(images->empty());
  EXPECT_EQ(images->at(0).owner_id, "099720109477");
  EXPECT_EQ(images->at(0).name.rfind("ubuntu/images/hvm-ssd/ubuntu-", 0), 0u);
}

TEST_F(Ec2MotoTest, KeyPairsCreateImportListByTagAndDelete) {
  Result<KeyPair> created = client_->CreateKeyPair("spotrun-moto-created", kJobTags);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_NE(created->key_material.find("PRIVATE KEY"), std::string::npos);
  Result<KeyPair> imported = client_->ImportKeyPair(
      "spotrun-moto-imported",
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHjyZ3PXB2d+7s9YbGPKQb6yYRC7Fs4mVDfVFKD8Ixpx spotrun",
      kJobTags);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_FALSE(imported->fingerprint.empty());

  Result<std::vector<KeyPair>> tagged =
      client_->DescribeKeyPairs({{"tag:spotrun:job-id", {"moto-1"}}});
  ASSERT_TRUE(tagged.ok()) << tagged.status().ToString();
  std::vector<std::string> names;
  for (const KeyPair& key : *tagged) names.push_back(key.key_name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"spotrun-moto-created", "spotrun-moto-imported"}));

  ASSERT_TRUE(client_->DeleteKeyPair("spotrun-moto-created").ok());
  ASSERT_TRUE(client_->DeleteKeyPair("spotrun-moto-imported").ok());
  EXPECT_TRUE(client_->DeleteKeyPair("spotrun-moto-imported").ok());  // Already gone.
  tagged = client_->DescribeKeyPairs({{"tag:spotrun:job-id", {"moto-1"}}});
  ASSERT_TRUE(tagged.ok());
  EXPECT_TRUE(tagged->empty());
}

TEST_F(Ec2MotoTest, SecurityGroupsCreateAuthorizeListByTagAndDelete) {
  Result<std::string> group =
      client_->CreateSecurityGroup("spotrun-moto-sg", "spotrun job moto-1", "", kJobTags);
  ASSERT_TRUE(group.ok()) << group.status().ToString();
  IngressRule ssh;
  ssh.cidrs = {"203.0.113.7/32"};
  ASSERT_TRUE(client_->AuthorizeSecurityGroupIngress(*group, {ssh}).ok());
  Status again = client_->AuthorizeSecurityGroupIngress(*group, {ssh});  // Duplicate is fine.
  EXPECT_TRUE(again.ok()) << again.ToString();

  Result<std::vector<SecurityGroup>> tagged =
      client_->DescribeSecurityGroups({{"tag:spotrun:job-id", {"moto-1"}}});
  ASSERT_TRUE(tagged.ok()) << tagged.status().ToString();
  ASSERT_EQ(tagged->size(), 1u);
  EXPECT_EQ(tagged->at(0).group_id, *group);
  EXPECT_EQ(tagged->at(0).group_name, "spotrun-moto-sg");
  EXPECT_EQ(tagged->at(0).tags.at("spotrun:managed-by"), "spotrun");

  ASSERT_TRUE(client_->DeleteSecurityGroup(*group).ok());
  tagged = client_->DescribeSecurityGroups({{"tag:spotrun:job-id", {"moto-1"}}});
  ASSERT_TRUE(tagged.ok());
  EXPECT_TRUE(tagged->empty());
}

TEST_F(Ec2MotoTest, SpotInstanceLifecycle) {
  Result<std::vector<Image>> images = client_->DescribeImages({{"099720109477"}, {}, {}});
  ASSERT_TRUE(images.ok() && !images->empty()) << images.status().ToString();
  RunInstancesRequest run;
  run.image_id = images->at(0).image_id;
  run.instance_type = "g5.xlarge";
  run.availability_zone = "us-east-1b";
  run.max_price = 1.5;
  run.root_volume_gb = 200;
  run.root_device_name =
      images->at(0).root_device_name.empty() ? "/dev/sda1" : images->at(0).root_device_name;
  run.tags = {{"spotrun:job-id", "moto-run"}, {"Name", "spotrun-moto-run"}};
  run.user_data = "#!/bin/sh\necho hello\n";
  run.client_token = "moto-run-attempt-1";
  Result<std::vector<Ec2Instance>> launched = client_->RunInstances(run);
  ASSERT_TRUE(launched.ok()) << launched.status().ToString();
  ASSERT_EQ(launched->size(), 1u);
  const std::string id = launched->at(0).instance_id;
  EXPECT_EQ(launched->at(0).lifecycle, "spot");
  EXPECT_EQ(launched->at(0).instance_type, "g5.xlarge");
  EXPECT_EQ(launched->at(0).availability_zone, "us-east-1b");

  Result<std::vector<Ec2Instance>> found = client_->DescribeInstances(
      {{},
       {{"tag:spotrun:job-id", {"moto-run"}}, {"instance-state-name", {"pending", "running"}}}});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->at(0).instance_id, id);
  EXPECT_EQ(found->at(0).state, "running");
  EXPECT_EQ(found->at(0).tags.at("Name"), "spotrun-moto-run");
  EXPECT_FALSE(found->at(0).public_ip.empty());

  // The root volume got the size and the tags (read through the raw call).
  QueryParams volumes("DescribeVolumes");
  volumes.AddFilters({{"attachment.instance-id", {id}}});
  Result<XmlNode> answer = client_->Call(volumes);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  std::vector<const XmlNode*> items = answer->Items("volumeSet");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]->Text("size"), "200");
  bool tagged = false;
  for (const XmlNode* tag : items[0]->Items("tagSet"))
    tagged |= tag->Text("key") == "spotrun:job-id";
  EXPECT_TRUE(tagged);

  Result<ConsoleOutput> console = client_->GetConsoleOutput(id);
  ASSERT_TRUE(console.ok()) << console.status().ToString();
  EXPECT_EQ(console->instance_id, id);

  Result<std::vector<InstanceStateChange>> changes = client_->TerminateInstances({id});
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ(changes->at(0).previous_state, "running");
  found = client_->DescribeInstances({{id}, {}});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->at(0).state, "terminated");
}

TEST_F(Ec2MotoTest, ServiceErrorsCarryTheirCode) {
  Result<std::vector<Ec2Instance>> found =
      client_->DescribeInstances({{"i-0123456789abcdef0"}, {}});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), Code::kNotFound);
  EXPECT_NE(found.status().message().find("InvalidInstanceID.NotFound"), std::string::npos)
      << found.status().message();
}

}  // namespace
}  // namespace spotrun::aws
