#include "policy/placement.h"

#include <gtest/gtest.h>

#include <set>

#include "catalog/catalog.h"

namespace spotrun {
namespace {

TEST(CatalogTest, BundledSnapshotParses) {
  const auto& offers = Catalog::Bundled().offers();
  ASSERT_GT(offers.size(), 300u);
  bool found = false;
  for (const auto& o : offers) {
    if (o.instance_type == "p3.2xlarge" && o.zone == "use1-az1") {
      found = true;
      EXPECT_EQ(o.accelerator, "V100");
      EXPECT_EQ(o.accelerator_count, 1);
      EXPECT_DOUBLE_EQ(o.on_demand_price, 3.06);
      EXPECT_DOUBLE_EQ(o.spot_price, 0.5197);
    }
  }
  EXPECT_TRUE(found);
}

TEST(CatalogTest, RejectsBadCsv) {
  EXPECT_FALSE(Catalog::FromCsv("").ok());
  EXPECT_FALSE(Catalog::FromCsv("a,b\n").ok());
}

TEST(PlacementTest, CheapestSpotOfferThatFitsWins) {
  Resources r;
  r.accelerator = "v100";
  r.accelerator_count = 1;
  auto c = RankCandidates(r, "us-east-1", Catalog::Bundled().offers(), nullptr);
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c[0].offer.instance_type, "p3.2xlarge");
  EXPECT_EQ(c[0].market, Market::kSpot);
  EXPECT_DOUBLE_EQ(c[0].max_price, 3.06);  // Default bid: the on-demand price.
  for (size_t i = 1; i < c.size(); ++i) EXPECT_LE(c[i - 1].price, c[i].price);
  for (const auto& x : c) EXPECT_EQ(x.offer.region, "us-east-1");
}

TEST(PlacementTest, HonoursMaxPriceZoneTypeAndOnDemand) {
  Resources r;
  r.cpus = 8;
  r.max_price = 0.2;
  for (const auto& c : RankCandidates(r, "us-east-1", Catalog::Bundled().offers(), nullptr)) {
    EXPECT_LE(c.price, 0.2);
    EXPECT_GE(c.offer.vcpus, 8);
  }
  r = Resources{};
  r.use_spot = false;
  r.instance_type = "m6i.large";
  r.zone = "use1-az1";
  auto c = RankCandidates(r, "us-east-1", Catalog::Bundled().offers(), nullptr);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].market, Market::kOnDemand);
  EXPECT_DOUBLE_EQ(c[0].price, c[0].offer.on_demand_price);
}

TEST(PlacementTest, NoGpuTypeForAJobThatAsksForNoGpu) {
  Offer gpu;
  gpu.instance_type = "local-h200x1";
  gpu.accelerator = "H200";
  gpu.accelerator_count = 1;
  gpu.vcpus = 8;
  gpu.memory_gib = 64;
  gpu.on_demand_price = gpu.spot_price = 0;
  gpu.region = "us-east-1";
  gpu.zone = "use1-az1";
  Offer cpu = gpu;
  cpu.instance_type = "m6i.large";
  cpu.accelerator = "";
  cpu.accelerator_count = 0;
  cpu.spot_price = 0.04;
  Resources r;
  auto c = RankCandidates(r, "us-east-1", {gpu, cpu}, nullptr);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].offer.instance_type, "m6i.large");
  r.instance_type = "local-h200x1";  // Named: given.
  c = RankCandidates(r, "us-east-1", {gpu, cpu}, nullptr);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].offer.instance_type, "local-h200x1");
}

TEST(PlacementTest, SaysWhyNothingFits) {
  Resources r;
  r.cpus = 100000;
  std::string why;
  EXPECT_TRUE(RankCandidates(r, "us-east-1", Catalog::Bundled().offers(), &why).empty());
  EXPECT_NE(why.find("cpus"), std::string::npos) << why;
}

const std::vector<std::string> kAllRegions = {"us-east-1", "eu-west-1", "us-east-2", "us-west-2"};

TEST(PlacementTest, WithNoRegionPinnedTheCheapestRegionWins) {
  Resources r;
  r.accelerator = "V100";
  r.accelerator_count = 1;
  auto c = RankCandidates(r, kAllRegions, Catalog::Bundled().offers(), nullptr);
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c[0].offer.instance_type, "p3.2xlarge");
  EXPECT_EQ(c[0].offer.region, "us-east-2");
  EXPECT_DOUBLE_EQ(c[0].price, 0.3635);
  std::set<std::string> regions;
  for (const auto& x : c) regions.insert(x.offer.region);
  EXPECT_EQ(regions.size(), 4u);
  EXPECT_EQ(RegionsOf(r, kAllRegions), kAllRegions);
  EXPECT_EQ(DescribeRegions(r, kAllRegions),
            "regions considered: us-east-1, eu-west-1, us-east-2, us-west-2 (no region pinned: "
            "every region of the catalog; resources.region pins one)");
  r.region = "us-east-1";  // Pinned: stays.
  c = RankCandidates(r, kAllRegions, Catalog::Bundled().offers(), nullptr);
  ASSERT_FALSE(c.empty());
  for (const auto& x : c) EXPECT_EQ(x.offer.region, "us-east-1");
  EXPECT_DOUBLE_EQ(c[0].price, 0.5197);
  EXPECT_EQ(RegionsOf(r, kAllRegions), std::vector<std::string>{"us-east-1"});
  EXPECT_EQ(DescribeRegions(r, kAllRegions),
            "region considered: us-east-1 (pinned by resources.region)");
}

TEST(PlacementTest, AnImageIdKeepsTheJobInTheDefaultRegion) {
  Resources r;
  EXPECT_EQ(UnpinnedRegions(r, kAllRegions), kAllRegions);
  r.image = "ubuntu-24.04";  // An alias is resolved in whichever region.
  EXPECT_EQ(UnpinnedRegions(r, kAllRegions), kAllRegions);
  r.image = "ami-0abc";
  EXPECT_EQ(UnpinnedRegions(r, kAllRegions), std::vector<std::string>{"us-east-1"});
  EXPECT_EQ(DescribeRegions(r, kAllRegions),
            "region considered: us-east-1 (no region pinned, but image ami-0abc is an id of one "
            "region)");
}

TEST(PlacementTest, EqualPricesPreferTheFirstRegion) {
  Offer home;
  home.instance_type = "t3.medium";
  home.vcpus = 2;
  home.memory_gib = 4;
  home.on_demand_price = 0.0416;
  home.spot_price = 0.01;
  home.region = "us-east-1";
  home.zone = "use1-az9";
  Offer away = home;
  away.region = "eu-west-1";
  away.zone = "euw1-az1";  // Sorts first by zone, but its region comes second.
  Resources r;
  auto c = RankCandidates(r, kAllRegions, {away, home}, nullptr);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].offer.region, "us-east-1");
  away.spot_price = 0.009;  // Cheaper: wins.
  EXPECT_EQ(RankCandidates(r, kAllRegions, {away, home}, nullptr)[0].offer.region, "eu-west-1");
}

TEST(PlacementTest, AnUnknownPriceNeverRanksAsFree) {
  Offer known;
  known.instance_type = "c6i.2xlarge";
  known.vcpus = 8;
  known.memory_gib = 16;
  known.on_demand_price = 0.34;
  known.spot_price = 0.1;
  known.region = "us-east-1";
  known.zone = "use1-az1";
  Offer unknown = known;
  unknown.instance_type = "mac1.metal";
  unknown.on_demand_price = -1;  // Neither the snapshot nor the price list has it.
  unknown.spot_price = -1;
  Resources r;
  r.cpus = 8;
  for (bool spot : {true, false}) {
    r.use_spot = spot;
    auto c = RankCandidates(r, "us-east-1", {unknown, known}, nullptr);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].offer.instance_type, "c6i.2xlarge");
  }
  // A spot price but no on-demand price: the bid must come from the job.
  unknown.spot_price = 0.05;
  r.use_spot = true;
  r.instance_type = "mac1.metal";
  std::string why;
  EXPECT_TRUE(RankCandidates(r, "us-east-1", {unknown}, &why).empty());
  EXPECT_NE(why.find("max_price (required: the on-demand price of mac1.metal is unknown)"),
            std::string::npos)
      << why;
  r.max_price = 0.2;
  auto c = RankCandidates(r, "us-east-1", {unknown, known}, nullptr);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_DOUBLE_EQ(c[0].max_price, 0.2);
}

}  // namespace
}  // namespace spotrun
