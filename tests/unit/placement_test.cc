#include "policy/placement.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace spotrun
