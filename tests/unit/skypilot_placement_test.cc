// Placement of the resource forms SkyPilot files bring: exact sizes, memory
// per vCPU, and alternatives cheapest-first or in the written order.
#include <gtest/gtest.h>

#include "policy/placement.h"

namespace spotrun {
namespace {

Offer MakeOffer(const std::string& type, double vcpus, double mem, const std::string& gpu, int gpus,
                double spot) {
  Offer o;
  o.instance_type = type;
  o.region = "r";
  o.zone = "z";
  o.vcpus = vcpus;
  o.memory_gib = mem;
  o.accelerator = gpu;
  o.accelerator_count = gpus;
  o.spot_price = spot;
  o.on_demand_price = spot * 3;
  return o;
}

std::vector<std::string> Types(const std::vector<Candidate>& c) {
  std::vector<std::string> out;
  for (const auto& x : c)
    out.push_back(x.offer.instance_type + "/" + std::to_string(x.alternative));
  return out;
}

const std::vector<Offer> kOffers = {
    MakeOffer("small", 2, 8, "", 0, 0.1), MakeOffer("big", 8, 32, "", 0, 0.4),
    MakeOffer("mem", 8, 64, "", 0, 0.5), MakeOffer("v100", 8, 61, "V100", 1, 0.9),
    MakeOffer("t4", 4, 16, "T4", 1, 0.2)};

TEST(SkyPilotPlacementTest, ExactAndPerCpuMemory) {
  Resources exact;
  exact.cpus = 8;
  exact.cpus_exact = true;
  exact.memory_gib = 32;
  exact.memory_exact = true;
  EXPECT_EQ(Types(RankCandidates(exact, "r", kOffers, nullptr)),
            (std::vector<std::string>{"big/-1"}));
  Resources ratio;
  ratio.cpus = 8;
  ratio.memory_per_cpu = 8;
  EXPECT_EQ(Types(RankCandidates(ratio, "r", kOffers, nullptr)),
            (std::vector<std::string>{"mem/-1"}));
}

TEST(SkyPilotPlacementTest, AlternativesCheapestFirstOrAsWritten) {
  Resources v100, t4, r;
  v100.accelerator = "V100";
  v100.accelerator_count = 1;
  t4.accelerator = "T4";
  t4.accelerator_count = 1;
  r.any_of = {v100, t4};
  EXPECT_EQ(Types(RankCandidates(r, "r", kOffers, nullptr)),
            (std::vector<std::string>{"t4/1", "v100/0"}));
  r.ordered = true;
  EXPECT_EQ(Types(RankCandidates(r, "r", kOffers, nullptr)),
            (std::vector<std::string>{"v100/0", "t4/1"}));
  EXPECT_EQ(ResourcesOf(r, RankCandidates(r, "r", kOffers, nullptr)[1]).accelerator, "T4");
  EXPECT_FALSE(WithMarket(r, false).any_of[1].use_spot);
}

}  // namespace
}  // namespace spotrun
