// OffersFor looks beyond the catalog (Cloud::TypesBeyondCatalog) only when
// none of the catalog's offers fits, and then prices the types that fit as
// named ones.
#include <gtest/gtest.h>

#include "fakes.h"
#include "jobs/controller.h"
#include "policy/placement.h"

namespace spotrun {
namespace {

Offer Shape(const std::string& type, int vcpus, double memory, const std::string& gpu, int gpus) {
  Offer o;
  o.instance_type = type;
  o.region = "us-east-1";
  o.zone = "use1-az1";
  o.vcpus = vcpus;
  o.memory_gib = memory;
  o.accelerator = gpu;
  o.accelerator_count = gpus;
  return o;
}

// A cloud that sells g5g.xlarge and c7g.large beyond its catalog and
// records what OffersFor asks of it.
class WiderCloud : public FakeCloud {
 public:
  std::vector<Offer> beyond = {Shape("g5g.xlarge", 4, 8, "T4g", 1),
                               Shape("c7g.large", 2, 4, "", 0)};
  Result<std::vector<std::string>> TypesBeyondCatalog(const std::vector<std::string>& regions,
                                                      const std::function<bool(const Offer&)>& fits,
                                                      size_t most) override {
    record.push_back("types beyond the catalog in " + regions.front() + ", at most " +
                     std::to_string(most));
    std::vector<std::string> out;
    for (const Offer& o : beyond) {
      if (fits(o)) out.push_back(o.instance_type);
    }
    return out;
  }
  Result<std::vector<Offer>> OffersIn(const std::vector<std::string>& regions,
                                      const std::vector<std::string>& named) override {
    std::string line = "offers in " + regions.front() + " naming";
    for (const auto& n : named) line += " " + n;
    record.push_back(line);
    std::vector<Offer> out = offers;
    for (Offer o : beyond) {
      if (std::find(named.begin(), named.end(), o.instance_type) == named.end()) continue;
      o.spot_price = 0.12;
      o.on_demand_price = 0.42;
      out.push_back(o);
    }
    return out;
  }
};

TEST(TypesBeyondCatalogTest, AskedOnlyWhenNothingInTheCatalogFits) {
  WiderCloud cloud;
  Offer cpu = Shape("m6i.large", 2, 8, "", 0);
  cpu.spot_price = 0.03;
  cpu.on_demand_price = 0.096;
  cloud.offers = {cpu};
  Resources r;
  r.region = "us-east-1";
  r.cpus = 2;
  auto offers = OffersFor(cloud, r);
  ASSERT_TRUE(offers.ok());
  EXPECT_EQ(cloud.record, (std::vector<std::string>{"offers in us-east-1 naming"}));

  cloud.record.clear();
  r.accelerator = "T4g";
  r.accelerator_count = 1;
  offers = OffersFor(cloud, r);
  ASSERT_TRUE(offers.ok());
  EXPECT_EQ(cloud.record,
            (std::vector<std::string>{"offers in us-east-1 naming",
                                      "types beyond the catalog in us-east-1, at most " +
                                          std::to_string(kTypesBeyondCatalog),
                                      "offers in us-east-1 naming g5g.xlarge"}));
  auto ranked = RankCandidates(r, "us-east-1", *offers, nullptr);
  ASSERT_EQ(ranked.size(), 1u);
  EXPECT_EQ(ranked[0].offer.instance_type, "g5g.xlarge");
  EXPECT_DOUBLE_EQ(ranked[0].max_price, 0.42);
}

TEST(TypesBeyondCatalogTest, ShapeFitsLooksAtTheShapeOfEveryAlternative) {
  Resources r;
  r.cpus = 4;
  EXPECT_TRUE(ShapeFits(r, Shape("c7g.xlarge", 4, 8, "", 0)));
  EXPECT_FALSE(ShapeFits(r, Shape("c7g.large", 2, 4, "", 0)));
  EXPECT_FALSE(ShapeFits(r, Shape("g5g.xlarge", 4, 8, "T4g", 1)));  // A GPU not asked for.
  Resources gpu;
  gpu.accelerator = "t4g";
  gpu.accelerator_count = 1;
  Resources either;
  either.any_of = {r, gpu};
  EXPECT_TRUE(ShapeFits(either, Shape("g5g.xlarge", 4, 8, "T4g", 1)));
  EXPECT_TRUE(ShapeFits(either, Shape("c7g.xlarge", 4, 8, "", 0)));
  EXPECT_FALSE(ShapeFits(either, Shape("c7g.large", 2, 4, "", 0)));
}

}  // namespace
}  // namespace spotrun
