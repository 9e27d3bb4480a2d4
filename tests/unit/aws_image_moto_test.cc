// AwsCloud's image choice against a real moto_server loaded with a realistic
// image set (tests/data/ec2/amis-realistic.json via MOTO_AMIS_PATH: Canonical
// 22.04/24.04, Deep Learning AMIs with PyTorch and Base, x86_64 and arm64,
// older and newer dates, decoys). Each launch names no image; the test reads
// what RunInstances asked for and whom HostFor logs in as. Skipped without
// moto_server.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "cloud/aws/aws_cloud.h"
#include "remote/ssh_host.h"
#include "test_process.h"
#include "util/encoding.h"

namespace spotrun::aws {
namespace {

namespace fs = std::filesystem;

// The newest of each kind in amis-realistic.json.
constexpr const char* kDlamiX86 = "ami-e9555e0b0d6b5b77f";   // PyTorch 2.8 (Ubuntu 24.04) 20251010
constexpr const char* kDlamiArm = "ami-b1cb0224a9b6e9b5b";   // ARM64 PyTorch 2.8 (Ubuntu 24.04)
constexpr const char* kUbuntuAmd = "ami-25e22abc8a3c5759e";  // noble amd64 server 20251022
constexpr const char* kUbuntuArm = "ami-688842a31170b7237";  // noble arm64 server 20251022
constexpr const char* kJammyAmd = "ami-f787d57d273dbecdf";   // jammy amd64 server 20251015
constexpr const char* kAl2023 = "ami-4b8de538f91611856";     // al2023 x86_64
constexpr int kMotoSnapshotGb = 15;  // moto gives every image a 15 GB root snapshot.

// Passes requests on and keeps the form body of each RunInstances.
class RunInstancesRecorder : public HttpClient {
 public:
  explicit RunInstancesRecorder(HttpClient* base) : base_(base) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    if (request.body.find("Action=RunInstances") != std::string::npos) {
      std::lock_guard<std::mutex> lock(mu_);
      bodies_.push_back(request.body);
    }
    return base_->Send(request);
  }
  // The value of `key` in the last RunInstances ("" when absent).
  std::string Last(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    if (bodies_.empty()) return "";
    const std::string& body = bodies_.back();
    size_t at = ("&" + body).find("&" + key + "=");
    if (at == std::string::npos) return "";
    size_t start = at + key.size() + 1;
    return PercentDecode(body.substr(start, body.find('&', start) - start));
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_.size();
  }

 private:
  HttpClient* base_;
  std::mutex mu_;
  std::vector<std::string> bodies_;
};

class AwsImageMotoTest : public test::MotoSuite<AwsImageMotoTest> {
 public:
  static std::map<std::string, std::string> MotoEnv() {
    return {{"MOTO_AMIS_PATH",
             std::string(SPOTRUN_SOURCE_DIR) + "/tests/data/ec2/amis-realistic.json"}};
  }

 protected:
  void SetUp() override {
    test::MotoSuite<AwsImageMotoTest>::SetUp();
    if (IsSkipped()) return;
    char pattern[] = "/tmp/spotrun-awsimage-XXXXXX";
    dir_ = mkdtemp(pattern);
    options_.ssh_cidr = "203.0.113.7/32";
    options_.ssh.jobs_dir = dir_ + "/jobs";
    options_.ssh.control_dir = dir_;
    config_.profile = "default";
    config_.region = "us-east-1";
    config_.ec2_endpoint = moto_->url();
    config_.credentials = std::make_shared<StaticCredentialProvider>(
        Credentials{"AKIAMOTOTESTING00000", "testing", "", 0, "tests"});
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::unique_ptr<AwsCloud> MakeCloud() {
    return std::make_unique<AwsCloud>(config_, &recorder_, &clock_, Catalog::Bundled().offers(),
                                      options_);
  }
  LaunchRequest Request(const std::string& type) {
    LaunchRequest r;
    r.instance_type = type;
    r.region = "us-east-1";
    r.tags = {{kTagJobId, "img-" + std::to_string(++jobs_)}};
    r.client_token = r.tags[kTagJobId] + "-a1";
    return r;
  }
  // Launches `request`, checks the image and the root volume RunInstances
  // asked for, and returns the login user HostFor would use.
  std::string LaunchAndCheck(const LaunchRequest& request, const std::string& image, int root_gb) {
    auto cloud = MakeCloud();
    Result<Instance> launched = cloud->Launch(request);
    EXPECT_TRUE(launched.ok()) << request.instance_type << ": " << launched.status().ToString();
    if (!launched.ok()) return "";
    EXPECT_EQ(recorder_.Last("ImageId"), image) << request.instance_type;
    EXPECT_EQ(recorder_.Last("BlockDeviceMapping.1.Ebs.VolumeSize"), std::to_string(root_gb));
    EXPECT_GE(root_gb, kMotoSnapshotGb);
    Instance running = *launched;
    running.address = "192.0.2.1";
    auto host = cloud->HostFor(running);
    EXPECT_TRUE(host.ok()) << host.status().ToString();
    if (!host.ok()) return "";
    auto* ssh = dynamic_cast<SshHost*>(host->get());
    return ssh == nullptr ? "" : ssh->options().endpoint.user;
  }

  CurlHttpClient http_;
  RunInstancesRecorder recorder_{&http_};
  RealClock clock_;
  AwsConfig config_;
  AwsCloudOptions options_;
  std::string dir_;
  int jobs_ = 0;
};

TEST_F(AwsImageMotoTest, EachTypeGetsItsImageWithNoImageInTheJob) {
  EXPECT_EQ(LaunchAndCheck(Request("g5.xlarge"), kDlamiX86, 50), "ubuntu");
  EXPECT_EQ(LaunchAndCheck(Request("g4dn.xlarge"), kDlamiX86, 50), "ubuntu");
  EXPECT_EQ(LaunchAndCheck(Request("g5g.xlarge"), kDlamiArm, 50), "ubuntu");
  EXPECT_EQ(LaunchAndCheck(Request("c7g.large"), kUbuntuArm, 50), "ubuntu");
  EXPECT_EQ(LaunchAndCheck(Request("t3.medium"), kUbuntuAmd, 50), "ubuntu");
}

TEST_F(AwsImageMotoTest, OldAndNeuronTypesAreRefusedBeforeAnythingIsCreated) {
  auto cloud = MakeCloud();
  // moto does not describe p3.2xlarge: its V100 comes from the bundled catalog.
  Result<Instance> p3 = cloud->Launch(Request("p3.2xlarge"));
  ASSERT_FALSE(p3.ok());
  EXPECT_EQ(p3.status().code(), Code::kInvalidArgument);
  EXPECT_NE(p3.status().message().find("1x NVIDIA V100"), std::string::npos);
  EXPECT_NE(p3.status().message().find("g5.xlarge"), std::string::npos);
  EXPECT_EQ(p3.status().message().find('\n'), std::string::npos);
  Result<Instance> inf2 = cloud->Launch(Request("inf2.xlarge"));
  ASSERT_FALSE(inf2.ok());
  EXPECT_NE(inf2.status().message().find("Neuron"), std::string::npos);
  EXPECT_NE(inf2.status().message().find("Inferentia2"), std::string::npos);
  EXPECT_EQ(recorder_.count(), 0u);
  // Given an image, the user knows best.
  LaunchRequest own = Request("p3.2xlarge");
  own.image = kJammyAmd;
  EXPECT_EQ(LaunchAndCheck(own, kJammyAmd, 50), "ubuntu");
}

TEST_F(AwsImageMotoTest, AliasesPatternsAndIdsWithTheirLoginUser) {
  LaunchRequest alias = Request("t3.medium");
  alias.image = "ubuntu-22.04";
  EXPECT_EQ(LaunchAndCheck(alias, kJammyAmd, 50), "ubuntu");
  LaunchRequest dlami = Request("c7g.large");
  dlami.image = "dlami-pytorch";
  EXPECT_EQ(LaunchAndCheck(dlami, kDlamiArm, 50), "ubuntu");
  LaunchRequest pattern = Request("g5.xlarge");
  pattern.image = "Deep Learning*PyTorch*Amazon Linux 2023*";
  pattern.image_owner = "amazon";
  EXPECT_EQ(LaunchAndCheck(pattern, "ami-2a0f926e5c6b29511", 50), "ec2-user");
  LaunchRequest al = Request("t3.medium");
  al.image = kAl2023;
  al.disk_size_gb = 20;
  EXPECT_EQ(LaunchAndCheck(al, kAl2023, 20), "ec2-user");
  al.ssh_user = "admin";
  al.client_token += "-again";
  EXPECT_EQ(LaunchAndCheck(al, kAl2023, 20), "admin");
}

TEST_F(AwsImageMotoTest, WrongArchitectureAndSmallDiskFailBeforeLaunch) {
  auto cloud = MakeCloud();
  LaunchRequest arm_on_x86 = Request("t3.medium");
  arm_on_x86.image = kUbuntuArm;
  Result<Instance> wrong = cloud->Launch(arm_on_x86);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("is arm64 but t3.medium runs x86_64"), std::string::npos);
  LaunchRequest small = Request("t3.medium");
  small.disk_size_gb = kMotoSnapshotGb - 5;
  Result<Instance> tiny = cloud->Launch(small);
  ASSERT_FALSE(tiny.ok());
  EXPECT_EQ(tiny.status().message(),
            "resources.disk_size: 10 GB is smaller than the root snapshot of image " +
                std::string(kUbuntuAmd) + " (15 GB); give at least 15");
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(AwsImageMotoTest, DlamiBootstrapMakesPythonThePyTorchEnvironment) {
  auto cloud = MakeCloud();
  Result<Instance> launched = cloud->Launch(Request("g5.xlarge"));
  ASSERT_TRUE(launched.ok()) << launched.status().ToString();
  std::string user_data = Base64Decode(recorder_.Last("UserData")).value_or("");
  EXPECT_NE(user_data.find("/opt/pytorch/bin/$tool"), std::string::npos) << user_data;
  EXPECT_EQ(launched->tags.at(kTagPythonEnv), "/opt/pytorch");
  Instance running = *launched;
  running.address = "192.0.2.1";
  auto host = cloud->HostFor(running);
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(dynamic_cast<SshHost*>(host->get())->options().ready_command,
            ReadyCommand("/opt/pytorch"));
  Result<std::string> line = cloud->DescribeImageChoice(Request("g5.xlarge"));
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ(*line, std::string(kDlamiX86) +
                       " (Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.8 (Ubuntu 24.04) "
                       "20251010, x86_64), login ubuntu, root volume 50 GB, python from "
                       "/opt/pytorch: the newest Deep Learning AMI with PyTorch (Ubuntu, "
                       "x86_64), for the 1x NVIDIA A10G of g5.xlarge (DescribeInstanceTypes)");
}

}  // namespace
}  // namespace spotrun::aws
