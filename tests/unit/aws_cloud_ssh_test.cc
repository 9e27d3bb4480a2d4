// AwsCloud's SSH side and sweep against a real moto_server: the job's own key
// imported, the owner tag, the bootstrap user data, the SSH source range found
// once, HostFor, and SweepOwned. Skipped without moto_server.
#include <gtest/gtest.h>

#include <filesystem>

#include "cloud/aws/aws_cloud.h"
#include "remote/job_ssh.h"
#include "remote/ssh_host.h"
#include "test_process.h"
#include "util/encoding.h"

namespace spotrun::aws {
namespace {

namespace fs = std::filesystem;

class AwsCloudSshMotoTest : public test::MotoSuite<AwsCloudSshMotoTest> {
 public:
  // Current Ubuntu and Deep Learning AMIs, so that launches naming no image find theirs.
  static std::map<std::string, std::string> MotoEnv() {
    return {{"MOTO_AMIS_PATH",
             std::string(SPOTRUN_SOURCE_DIR) + "/tests/data/ec2/amis-realistic.json"}};
  }

 protected:
  void SetUp() override {
    test::MotoSuite<AwsCloudSshMotoTest>::SetUp();
    if (IsSkipped()) return;
    char pattern[] = "/tmp/spotrun-awsssh-XXXXXX";
    dir_ = mkdtemp(pattern);
    options_.ssh_cidr = "127.0.0.1/32";
    options_.ssh.jobs_dir = dir_ + "/jobs";
    options_.ssh.control_dir = dir_;
    options_.owner = "me@here:0000";
    config_.profile = "default";
    config_.region = "us-east-1";
    config_.ec2_endpoint = moto_->url();
    config_.credentials = std::make_shared<StaticCredentialProvider>(
        Credentials{"AKIAMOTOTESTING00000", "testing", "", 0, "tests"});
    ec2_ = std::make_unique<Ec2Client>(&http_, config_.credentials.get(), &clock_,
                                       Ec2ClientOptions{moto_->url(), "us-east-1"});
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::unique_ptr<AwsCloud> MakeCloud() {
    return std::make_unique<AwsCloud>(config_, &http_, &clock_, std::vector<Offer>{}, options_);
  }
  static LaunchRequest Request(const std::string& job) {
    LaunchRequest r;
    r.instance_type = "t3.medium";
    r.region = "us-east-1";
    r.tags = {{kTagJobId, job}};
    r.client_token = job + "-a1";
    return r;
  }
  std::string UserData(const std::string& instance_id) {
    QueryParams params("DescribeInstanceAttribute");
    params.Add("InstanceId", instance_id);
    params.Add("Attribute", "userData");
    Result<XmlNode> root = ec2_->Call(params);
    if (!root.ok()) return "error: " + root.status().ToString();
    return Base64Decode(root->Text("userData/value")).value_or("bad base64");
  }

  CurlHttpClient http_;
  RealClock clock_;
  AwsConfig config_;
  std::unique_ptr<Ec2Client> ec2_;
  AwsCloudOptions options_;
  std::string dir_;
};

TEST_F(AwsCloudSshMotoTest, LaunchImportsTheJobKeyWithOwnerTagAndBootstrap) {
  auto cloud = MakeCloud();
  Result<Instance> launched = cloud->Launch(Request("ssh-1"));
  ASSERT_TRUE(launched.ok()) << launched.status().ToString();
  EXPECT_EQ(launched->tags.at(kTagOwner), "me@here:0000");
  auto local = EnsureJobKey(JobSshFiles::ForJob(options_.ssh.jobs_dir, "ssh-1"), "ssh-1");
  ASSERT_TRUE(local.ok());
  auto keys = ec2_->DescribeKeyPairs({{"key-name", {"spotrun-ssh-1"}}});
  ASSERT_TRUE(keys.ok() && keys->size() == 1u);
  EXPECT_EQ(keys->at(0).tags.at(kTagOwner), "me@here:0000");
  QueryParams params("DescribeKeyPairs");
  params.Add("KeyName.1", "spotrun-ssh-1");
  params.Add("IncludePublicKey", "true");
  Result<XmlNode> root = ec2_->Call(params);
  ASSERT_TRUE(root.ok());
  std::string imported = root->Items("keySet").at(0)->Text("publicKey");
  EXPECT_EQ(imported.substr(0, 80), local->substr(0, 80));
  EXPECT_EQ(UserData(launched->id), kInstanceBootstrap);
  ASSERT_TRUE(cloud->Terminate(launched->id).ok());
  EXPECT_TRUE(ec2_->DescribeKeyPairs({{"key-name", {"spotrun-ssh-1"}}})->empty());
}

TEST_F(AwsCloudSshMotoTest, HostForReachesTheAddressOrTheTarget) {
  auto cloud = MakeCloud();
  Result<Instance> launched = cloud->Launch(Request("ssh-2"));
  ASSERT_TRUE(launched.ok()) << launched.status().ToString();
  auto running = cloud->Describe(launched->id);
  ASSERT_TRUE(running.ok());
  auto host = cloud->HostFor(*running);
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  auto* ssh = dynamic_cast<SshHost*>(host->get());
  ASSERT_NE(ssh, nullptr);
  EXPECT_EQ(ssh->options().endpoint.host, running->address);
  EXPECT_EQ(ssh->options().endpoint.user, "ubuntu");
  EXPECT_EQ(ssh->options().ready_command, kBootstrapReady);
  EXPECT_EQ(ssh->options().identity_file, options_.ssh.jobs_dir + "/ssh-2/ssh/id_ed25519");
  EXPECT_NE(cloud->SelfTerminateCommand(*running).find("shutdown -h now"), std::string::npos);

  options_.ssh.target = SshEndpoint{"127.0.0.1", 2222, "tester"};
  auto redirected = MakeCloud()->HostFor(*running);
  ASSERT_TRUE(redirected.ok());
  EXPECT_EQ(dynamic_cast<SshHost*>(redirected->get())->options().endpoint.ToString(),
            "tester@127.0.0.1:2222");
  // The machine at the target may not be the instance: never shut it down.
  EXPECT_EQ(MakeCloud()->SelfTerminateCommand(*running).find("shutdown -h"), std::string::npos);
  Instance untagged = *running;
  untagged.tags.clear();
  EXPECT_EQ(cloud->HostFor(untagged).status().code(), Code::kInvalidArgument);
  ASSERT_TRUE(cloud->Terminate(launched->id).ok());
}

TEST_F(AwsCloudSshMotoTest, FindsTheSourceRangeOnceAndRefusesTheWholeInternet) {
  options_.ssh_cidr.clear();
  int lookups = 0;
  options_.find_ssh_cidr = [&lookups]() -> Result<std::string> {
    ++lookups;
    return std::string("198.51.100.7/32");
  };
  auto cloud = MakeCloud();
  Result<Instance> a = cloud->Launch(Request("ssh-3"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  Result<Instance> b = cloud->Launch(Request("ssh-4"));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(lookups, 1);
  QueryParams params("DescribeSecurityGroups");
  params.AddFilters({{"group-name", {"spotrun-ssh-3"}}});
  Result<XmlNode> root = ec2_->Call(params);
  ASSERT_TRUE(root.ok());
  std::string cidr = root->Items("securityGroupInfo")
                         .at(0)
                         ->Items("ipPermissions")
                         .at(0)
                         ->Items("ipRanges")
                         .at(0)
                         ->Text("cidrIp");
  EXPECT_EQ(cidr, "198.51.100.7/32");
  ASSERT_TRUE(cloud->Terminate(a->id).ok());
  ASSERT_TRUE(cloud->Terminate(b->id).ok());

  options_.find_ssh_cidr = []() -> Result<std::string> { return std::string("0.0.0.0/0"); };
  Result<Instance> open = MakeCloud()->Launch(Request("ssh-5"));
  EXPECT_EQ(open.status().code(), Code::kInvalidArgument);
  EXPECT_NE(open.status().message().find("whole internet"), std::string::npos);
  EXPECT_EQ(MakeCloud()->Launch(LaunchRequest{}).status().code(), Code::kInvalidArgument);
}

TEST_F(AwsCloudSshMotoTest, SweepRemovesOnlyThisOwnersFinishedJobs) {
  auto mine = MakeCloud();
  options_.owner = "someone@else:1111";
  auto theirs = MakeCloud();
  Result<Instance> live = mine->Launch(Request("sw-live"));
  Result<Instance> over = mine->Launch(Request("sw-over"));
  Result<Instance> other = theirs->Launch(Request("sw-other"));
  ASSERT_TRUE(live.ok() && over.ok() && other.ok());
  auto removed =
      mine->SweepOwned({}, [](const std::string& job, double) { return job != "sw-live"; });
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(mine->Describe(over->id)->state, InstanceState::kTerminated);
  EXPECT_EQ(mine->Describe(live->id)->state, InstanceState::kRunning);
  EXPECT_EQ(mine->Describe(other->id)->state, InstanceState::kRunning);
  EXPECT_TRUE(ec2_->DescribeKeyPairs({{"key-name", {"spotrun-sw-over"}}})->empty());
  EXPECT_TRUE(ec2_->DescribeSecurityGroups({{"group-name", {"spotrun-sw-over"}}})->empty());
  EXPECT_EQ(ec2_->DescribeKeyPairs({{"key-name", {"spotrun-sw-live"}}})->size(), 1u);
  EXPECT_EQ(ec2_->DescribeKeyPairs({{"key-name", {"spotrun-sw-other"}}})->size(), 1u);
  ASSERT_GE(removed->size(), 3u);  // Instance, group, key pair.
  EXPECT_NE(removed->at(0).find(over->id), std::string::npos);
  for (const Result<Instance>* i : {&live, &other}) ASSERT_TRUE(mine->Terminate((*i)->id).ok());
}

}  // namespace
}  // namespace spotrun::aws
