// AwsCloud (the Cloud seam on EC2) against a real moto_server, plus the
// checks that need no server. Skipped without moto_server.
#include "cloud/aws/aws_cloud.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <mutex>
#include <set>

#include "policy/placement.h"
#include "recording_http_client.h"
#include "remote/host.h"
#include "test_process.h"

namespace spotrun::aws {
namespace {

namespace fs = std::filesystem;

AwsConfig StaticConfig(const std::string& endpoint) {
  AwsConfig config;
  config.profile = "default";
  config.region = "us-east-1";
  config.ec2_endpoint = endpoint;
  config.credentials = std::make_shared<StaticCredentialProvider>(
      Credentials{"AKIAMOTOTESTING00000", "testing", "", 0, "tests"});
  return config;
}

TEST(AwsCloudTest, RefusesToOpenSshToTheInternetBeforeAnyCall) {
  test::RecordingHttpClient http;
  ManualClock clock;
  AwsCloudOptions options;
  options.ssh_cidr = "0.0.0.0/0";
  AwsCloud cloud(StaticConfig("http://127.0.0.1:9"), &http, &clock, {}, options);
  LaunchRequest request;
  request.instance_type = "g5.xlarge";
  Result<Instance> launched = cloud.Launch(request);
  ASSERT_FALSE(launched.ok());
  EXPECT_EQ(launched.status().code(), Code::kInvalidArgument);
  EXPECT_NE(launched.status().message().find("whole internet"), std::string::npos);
  AwsCloud no_cidr(StaticConfig("http://127.0.0.1:9"), &http, &clock, {}, {});
  EXPECT_EQ(no_cidr.Launch(request).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(http.requests.empty());
  EXPECT_EQ(cloud.Name(), "aws");
  EXPECT_EQ(cloud.DefaultRegion(), "us-east-1");
  EXPECT_FALSE(cloud.HostFor(Instance()).ok());
  request.tags = {{kTagJobId, "j-7"}};
  EXPECT_EQ(JobResourceName(request), "spotrun-j-7");
}

class AwsCloudMotoTest : public test::MotoSuite<AwsCloudMotoTest> {
 public:
  // Current Ubuntu and Deep Learning AMIs, so that launches naming no image find theirs.
  static std::map<std::string, std::string> MotoEnv() {
    return {{"MOTO_AMIS_PATH",
             std::string(SPOTRUN_SOURCE_DIR) + "/tests/data/ec2/amis-realistic.json"}};
  }

 protected:
  void SetUp() override {
    test::MotoSuite<AwsCloudMotoTest>::SetUp();
    if (IsSkipped()) return;
    char pattern[] = "/tmp/spotrun-awscloud-XXXXXX";
    key_dir_ = mkdtemp(pattern);
    options_.ssh_cidr = "203.0.113.7/32";
    options_.key_dir = key_dir_.string();
    credentials_ = StaticConfig("").credentials;
    ec2_ = std::make_unique<Ec2Client>(&http_, credentials_.get(), &clock_,
                                       Ec2ClientOptions{moto_->url(), "us-east-1"});
  }
  void TearDown() override {
    if (!key_dir_.empty()) fs::remove_all(key_dir_);
  }
  std::unique_ptr<AwsCloud> MakeCloud(std::vector<Offer> catalog = {}) {
    return std::make_unique<AwsCloud>(StaticConfig(moto_->url()), &http_, &clock_,
                                      std::move(catalog), options_);
  }
  LaunchRequest Request(const std::string& job) {
    LaunchRequest r;
    r.instance_type = "g5.xlarge";
    r.region = "us-east-1";
    r.max_price = 1.5;
    r.disk_size_gb = 100;
    r.tags = {{kTagJobId, job}, {kTagOwner, "tests"}};
    r.user_data = "#!/bin/sh\ntrue\n";
    r.client_token = job + "-attempt-1";
    return r;
  }
  // The CIDRs the group named `name` lets in, as "proto:from-to:cidr".
  std::vector<std::string> Ingress(const std::string& name) {
    QueryParams params("DescribeSecurityGroups");
    params.AddFilters({{"group-name", {name}}});
    Result<XmlNode> root = ec2_->Call(params);
    EXPECT_TRUE(root.ok()) << root.status().ToString();
    std::vector<std::string> rules;
    if (!root.ok()) return rules;
    for (const XmlNode* group : root->Items("securityGroupInfo")) {
      for (const XmlNode* perm : group->Items("ipPermissions")) {
        for (const XmlNode* range : perm->Items("ipRanges")) {
          rules.push_back(perm->Text("ipProtocol") + ":" + perm->Text("fromPort") + "-" +
                          perm->Text("toPort") + ":" + range->Text("cidrIp"));
        }
      }
    }
    return rules;
  }

  CurlHttpClient http_;
  RealClock clock_;
  std::shared_ptr<CredentialProvider> credentials_;
  std::unique_ptr<Ec2Client> ec2_;
  AwsCloudOptions options_;
  fs::path key_dir_;
};

TEST_F(AwsCloudMotoTest, OffersRefreshSpotPricesByZoneId) {
  Result<std::vector<AvailabilityZone>> zones = ec2_->DescribeAvailabilityZones();
  ASSERT_TRUE(zones.ok() && !zones->empty());
  Offer live;
  live.instance_type = "g5.xlarge";
  live.region = "us-east-1";
  live.zone = zones->at(0).zone_id;
  live.on_demand_price = 1.006;
  live.spot_price = 9.99;
  Offer unknown_zone = live;
  unknown_zone.zone = "use1-az99";
  Offer elsewhere = live;
  elsewhere.region = "eu-west-1";
  auto cloud = MakeCloud({live, unknown_zone, elsewhere});
  Result<std::vector<Offer>> offers = cloud->Offers("us-east-1");
  ASSERT_TRUE(offers.ok()) << offers.status().ToString();
  ASSERT_EQ(offers->size(), 2u);
  EXPECT_NE(offers->at(0).spot_price, 9.99);  // Refreshed from DescribeSpotPriceHistory.
  EXPECT_GT(offers->at(0).spot_price, 0);
  EXPECT_EQ(offers->at(1).spot_price, 9.99);  // No such zone: catalog price kept.
}

// Forwards to another client, recording the signing region (from the
// Authorization header's credential scope) of every DescribeSpotPriceHistory.
class RegionRecorder : public HttpClient {
 public:
  explicit RegionRecorder(HttpClient* base) : base_(base) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    if (request.body.find("Action=DescribeSpotPriceHistory") != std::string::npos) {
      for (const auto& [name, value] : request.headers) {
        if (name != "Authorization") continue;
        size_t at = value.find("Credential=");
        std::string scope = value.substr(at, value.find(',', at) - at);  // KEY/DATE/REGION/...
        size_t a = scope.find('/', scope.find('/') + 1) + 1;
        std::lock_guard<std::mutex> lock(mu_);
        regions.insert(scope.substr(a, scope.find('/', a) - a));
      }
    }
    return base_->Send(request);
  }
  std::set<std::string> regions;

 private:
  HttpClient* base_;
  std::mutex mu_;
};

// A moto_server of its own, without MOTO_AMIS_PATH: moto 5.2.1 with that
// set fails every call in the second region it serves (see
// tests/integration/moto_server.py).
class AwsRegionsMotoTest : public test::MotoSuite<AwsRegionsMotoTest> {
 protected:
  CurlHttpClient http_;
  RealClock clock_;
  std::shared_ptr<CredentialProvider> credentials_ = StaticConfig("").credentials;
};

TEST_F(AwsRegionsMotoTest, OffersInAsksEveryRegionForItsSpotPrices) {
  std::vector<Offer> catalog;
  for (const std::string region : {"us-east-1", "us-east-2", "eu-west-1"}) {
    Ec2Client client(&http_, credentials_.get(), &clock_, Ec2ClientOptions{moto_->url(), region});
    Result<std::vector<AvailabilityZone>> zones = client.DescribeAvailabilityZones();
    ASSERT_TRUE(zones.ok() && !zones->empty()) << region << " " << zones.status().ToString();
    Offer o;
    o.instance_type = "t3.medium";
    o.vcpus = 2;
    o.memory_gib = 4;
    o.region = region;
    o.zone = zones->at(0).zone_id;
    o.on_demand_price = 0.0416;
    o.spot_price = 9.99;
    catalog.push_back(o);
  }
  RegionRecorder recorder(&http_);
  AwsCloud cloud(StaticConfig(moto_->url()), &recorder, &clock_, catalog, {});
  EXPECT_EQ(cloud.Regions(), (std::vector<std::string>{"us-east-1", "eu-west-1", "us-east-2"}));
  Result<std::vector<Offer>> offers = cloud.OffersIn(cloud.Regions(), {});
  ASSERT_TRUE(offers.ok()) << offers.status().ToString();
  ASSERT_EQ(offers->size(), 3u);
  std::vector<std::string> order;
  for (const Offer& o : *offers) {
    order.push_back(o.region);
    EXPECT_NE(o.spot_price, 9.99) << o.region;  // Each refreshed in its own region.
    EXPECT_FALSE(o.zone_name.empty()) << o.region;
  }
  EXPECT_EQ(order, cloud.Regions());
  EXPECT_EQ(recorder.regions, (std::set<std::string>{"us-east-1", "us-east-2", "eu-west-1"}));
  // Placement with no region pinned ranks the offers of all three.
  Resources any;
  any.instance_type = "t3.medium";
  std::set<std::string> ranked;
  for (const Candidate& c : RankCandidates(any, cloud.Regions(), *offers, nullptr)) {
    ranked.insert(c.offer.region);
  }
  EXPECT_EQ(ranked.size(), 3u);
}

TEST_F(AwsRegionsMotoTest, ANamedTypeTheCatalogLacksIsDescribedAndPriced) {
  test::RecordingHttpClient pricing;  // The Price List API: one canned answer.
  pricing.Respond(200,
                  R"({"PriceList":["{\"terms\":{\"OnDemand\":{\"T\":{\"priceDimensions\":)"
                  R"({\"D\":{\"unit\":\"Hrs\",\"pricePerUnit\":{\"USD\":\"0.0725\"}}}}}}}"]})");
  AwsCloudOptions options;
  options.price_list = std::make_shared<PriceListClient>(&pricing, credentials_.get(), &clock_,
                                                         "http://127.0.0.1:9");
  AwsCloud cloud(StaticConfig(moto_->url()), &http_, &clock_, {}, options);
  Result<std::vector<Offer>> offers = cloud.OffersIn({"us-east-1"}, {"c7g.large", "zz9.huge"});
  ASSERT_TRUE(offers.ok()) << offers.status().ToString();
  ASSERT_FALSE(offers->empty());  // c7g.large only: EC2 knows no zz9.huge.
  for (const Offer& o : *offers) {
    EXPECT_EQ(o.instance_type, "c7g.large");
    EXPECT_EQ(o.vcpus, 2);
    EXPECT_EQ(o.memory_gib, 4);
    EXPECT_EQ(o.accelerator_count, 0);
    EXPECT_DOUBLE_EQ(o.on_demand_price, 0.0725);  // From the price list.
    EXPECT_TRUE(o.has_spot());                    // From DescribeSpotPriceHistory.
    EXPECT_FALSE(o.zone.empty());
  }
  EXPECT_EQ(pricing.requests.size(), 1u);  // Asked once per type and region.
  ASSERT_TRUE(cloud.OffersIn({"us-east-1"}, {"c7g.large"}).ok());
  EXPECT_EQ(pricing.requests.size(), 1u);
  // Without a price list the on-demand price is unknown, never $0.
  AwsCloud unpriced(StaticConfig(moto_->url()), &http_, &clock_, {}, {});
  offers = unpriced.OffersIn({"us-east-1"}, {"c7g.large"});
  ASSERT_TRUE(offers.ok() && !offers->empty());
  EXPECT_FALSE(offers->front().has_on_demand());
  Resources r;
  r.instance_type = "c7g.large";
  std::string why;
  EXPECT_TRUE(RankCandidates(r, "us-east-1", *offers, &why).empty());
  EXPECT_NE(why.find("max_price (required: the on-demand price of c7g.large is unknown)"),
            std::string::npos)
      << why;
  r.max_price = 0.05;
  EXPECT_FALSE(RankCandidates(r, "us-east-1", *offers, nullptr).empty());
}

TEST_F(AwsCloudMotoTest, LaunchListTerminateAndCleanUp) {
  auto cloud = MakeCloud();
  Result<std::vector<AvailabilityZone>> zones = ec2_->DescribeAvailabilityZones();
  ASSERT_TRUE(zones.ok() && zones->size() > 1);
  LaunchRequest request = Request("cloud-1");
  request.zone = zones->at(1).zone_id;
  Result<Instance> launched = cloud->Launch(request);
  ASSERT_TRUE(launched.ok()) << launched.status().ToString();
  EXPECT_EQ(launched->market, Market::kSpot);
  EXPECT_EQ(launched->zone, zones->at(1).zone_id);
  EXPECT_EQ(launched->tags.at(kTagManagedBy), "spotrun");

  struct stat key_stat {};
  std::string pem = (key_dir_ / "spotrun-cloud-1.pem").string();
  ASSERT_EQ(stat(pem.c_str(), &key_stat), 0);
  EXPECT_EQ(key_stat.st_mode & 0777, 0600);
  EXPECT_EQ(Ingress("spotrun-cloud-1"), std::vector<std::string>{"tcp:22-22:203.0.113.7/32"});

  Result<std::vector<Instance>> listed = cloud->ListTagged({{kTagJobId, "cloud-1"}});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).id, launched->id);
  Result<Instance> described = cloud->Describe(launched->id);
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->state, InstanceState::kRunning);
  EXPECT_FALSE(described->address.empty());

  ASSERT_TRUE(cloud->Terminate(launched->id).ok());
  described = cloud->Describe(launched->id);
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->state, InstanceState::kTerminated);
  EXPECT_GT(described->end_time, 0);
  EXPECT_TRUE(cloud->ListTagged({{kTagJobId, "cloud-1"}})->empty());
  EXPECT_TRUE(ec2_->DescribeKeyPairs({{"key-name", {"spotrun-cloud-1"}}})->empty());
  EXPECT_TRUE(ec2_->DescribeSecurityGroups({{"group-name", {"spotrun-cloud-1"}}})->empty());
  EXPECT_FALSE(fs::exists(pem));
  EXPECT_TRUE(cloud->Terminate(launched->id).ok());  // Again: still fine.
}

TEST_F(AwsCloudMotoTest, ImportedKeyAndGroupAreSharedUntilTheLastInstanceGoes) {
  options_.ssh_public_key =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHjyZ3PXB2d+7s9YbGPKQb6yYRC7Fs4mVDfVFKD8Ixpx spotrun";
  options_.key_dir.clear();
  auto cloud = MakeCloud();
  Result<Instance> first = cloud->Launch(Request("cloud-2"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  LaunchRequest again = Request("cloud-2");
  again.client_token = "cloud-2-attempt-2";
  again.market = Market::kOnDemand;
  Result<Instance> second = cloud->Launch(again);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->market, Market::kOnDemand);
  EXPECT_EQ(cloud->ListTagged({{kTagJobId, "cloud-2"}})->size(), 2u);

  ASSERT_TRUE(cloud->Terminate(first->id).ok());
  EXPECT_EQ(ec2_->DescribeKeyPairs({{"key-name", {"spotrun-cloud-2"}}})->size(), 1u);
  EXPECT_EQ(ec2_->DescribeSecurityGroups({{"group-name", {"spotrun-cloud-2"}}})->size(), 1u);
  ASSERT_TRUE(cloud->Terminate(second->id).ok());
  EXPECT_TRUE(ec2_->DescribeKeyPairs({{"key-name", {"spotrun-cloud-2"}}})->empty());
  EXPECT_TRUE(ec2_->DescribeSecurityGroups({{"group-name", {"spotrun-cloud-2"}}})->empty());
}

}  // namespace
}  // namespace spotrun::aws
