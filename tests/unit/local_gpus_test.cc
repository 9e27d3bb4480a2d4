// The local cloud's GPUs: nvidia-smi's list, the offers a machine can run,
// and GPUs handed out whole to one instance at a time.
#include <gtest/gtest.h>

#include <filesystem>

#include "cloud/local/gpu_allocation.h"
#include "cloud/local/machine.h"
#include "util/fs.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;

MachineCapacity Machine(const std::string& name, int count) {
  MachineCapacity m;
  m.cpus = 16;
  m.memory_gib = 128;
  for (int i = 0; i < count; ++i) {
    LocalGpu g;
    g.index = i;
    g.name = name;
    g.model = GpuModel(name);
    g.memory_mib = 143771;
    m.gpus.push_back(g);
  }
  return m;
}

Offer CatalogOffer(const std::string& type, const std::string& gpu, int count, double od,
                   double spot, const std::string& zone) {
  Offer o;
  o.instance_type = type;
  o.accelerator = gpu;
  o.accelerator_count = count;
  o.vcpus = 8;
  o.memory_gib = 32;
  o.on_demand_price = od;
  o.spot_price = spot;
  o.region = "us-east-1";
  o.zone = zone;
  return o;
}

std::vector<Offer> SmallCatalog() {
  return {CatalogOffer("m6i.large", "", 0, 0.096, 0.04, "use1-az1"),
          CatalogOffer("m6i.large", "", 0, 0.096, 0.05, "use1-az2"),
          CatalogOffer("p3.2xlarge", "V100", 1, 3.06, 0.9, "use1-az1"),
          CatalogOffer("g4dn.xlarge", "T4", 1, 0.526, 0.2, "use1-az1"),
          CatalogOffer("g4dn.12xlarge", "T4", 4, 3.912, 1.6, "use1-az1")};
}

std::vector<std::string> Types(const std::vector<Offer>& offers) {
  std::vector<std::string> out;
  for (const auto& o : offers) out.push_back(o.instance_type + "@" + o.zone);
  return out;
}

TEST(LocalGpusTest, ParsesNvidiaSmiWithAndWithoutUnits) {
  auto gpus = ParseNvidiaSmiCsv(
      "0, GPU-aaa, NVIDIA H200, 143771, 580.159.04\n"
      "1, GPU-bbb, NVIDIA H200, 143771 MiB, 580.159.04\n"
      "No devices were found\n");
  ASSERT_EQ(gpus.size(), 2u);
  EXPECT_EQ(gpus[1].index, 1);
  EXPECT_EQ(gpus[1].uuid, "GPU-bbb");
  EXPECT_EQ(gpus[1].model, "H200");
  EXPECT_EQ(gpus[1].memory_mib, 143771);
  EXPECT_EQ(gpus[1].driver, "580.159.04");
}

TEST(LocalGpusTest, ModelIsTheNameAwsSellsTheGpuAs) {
  EXPECT_EQ(GpuModel("NVIDIA H100 80GB HBM3"), "H100");
  EXPECT_EQ(GpuModel("NVIDIA A100-SXM4-40GB"), "A100");
  EXPECT_EQ(GpuModel("Tesla V100-SXM2-16GB"), "V100");
  EXPECT_EQ(GpuModel("Tesla T4"), "T4");
  EXPECT_EQ(GpuModel("NVIDIA A10G"), "A10G");
  EXPECT_EQ(GpuModel("NVIDIA L4"), "L4");
  EXPECT_EQ(GpuModel("NVIDIA L40S"), "L40S");
  EXPECT_EQ(GpuModel("NVIDIA GeForce RTX 4090"), "RTX-4090");
}

TEST(LocalGpusTest, NoGpuMeansNoGpuOffers) {
  EXPECT_EQ(Types(MachineOffers(SmallCatalog(), Machine("", 0))),
            (std::vector<std::string>{"m6i.large@use1-az1", "m6i.large@use1-az2"}));
}

TEST(LocalGpusTest, CatalogModelOffersItsTypesAndPricesTheMissingCountsPerGpu) {
  auto offers = MachineOffers(SmallCatalog(), Machine("Tesla T4", 2));
  EXPECT_EQ(Types(offers),
            (std::vector<std::string>{"m6i.large@use1-az1", "m6i.large@use1-az2",
                                      "g4dn.xlarge@use1-az1", "local-t4x2@use1-az1"}));
  const Offer& two = offers.back();
  EXPECT_EQ(two.accelerator, "T4");
  EXPECT_EQ(two.accelerator_count, 2);
  EXPECT_DOUBLE_EQ(two.on_demand_price, 2 * 0.526);
  EXPECT_DOUBLE_EQ(two.spot_price, 2 * 0.2);
  EXPECT_EQ(two.vcpus, 16);
}

TEST(LocalGpusTest, ModelTheCatalogLacksIsALocalTypeAtZeroInEveryZone) {
  auto offers = MachineOffers(SmallCatalog(), Machine("NVIDIA H200", 2));
  EXPECT_EQ(Types(offers),
            (std::vector<std::string>{"m6i.large@use1-az1", "m6i.large@use1-az2",
                                      "local-h200x1@use1-az1", "local-h200x1@use1-az2",
                                      "local-h200x2@use1-az1", "local-h200x2@use1-az2"}));
  const Offer& one = offers[2];
  EXPECT_EQ(one.accelerator, "H200");
  EXPECT_EQ(one.accelerator_count, 1);
  EXPECT_EQ(one.on_demand_price, 0);
  EXPECT_EQ(one.spot_price, 0);
  EXPECT_TRUE(one.has_spot());
  EXPECT_EQ(one.vcpus, 8);
  EXPECT_DOUBLE_EQ(one.memory_gib, 64);
  EXPECT_TRUE(IsLocalGpuType(one.instance_type));
  EXPECT_FALSE(IsLocalGpuType("g4dn.xlarge"));
}

TEST(LocalGpusTest, PicksFreeGpusOfTheModelLowestFirst) {
  MachineCapacity m = Machine("NVIDIA H200", 3);
  EXPECT_EQ(PickFreeGpus(m.gpus, {{0, "i-a"}}, "h200", 2).value(), (std::vector<int>{1, 2}));
  auto none = PickFreeGpus(m.gpus, {{0, "i-a"}, {2, "i-b"}}, "H200", 2);
  ASSERT_EQ(none.status().code(), Code::kCapacity);
  EXPECT_EQ(none.status().message(),
            "H200:2 needs 2 free GPU(s); 1 of this machine's 3 H200 are free "
            "(in use: GPU 0 by i-a, GPU 2 by i-b)");
  EXPECT_EQ(PickFreeGpus(m.gpus, {}, "A100", 1).status().code(), Code::kCapacity);
}

class GpuAllocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = (fs::temp_directory_path() /
             ("gpu-alloc-" + std::to_string(getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Dir(const std::string& id) const { return root_ + "/instances/" + id; }
  std::string root_;
};

TEST_F(GpuAllocationTest, InstancesNeverShareAGpuUntilOneIsTerminated) {
  MachineCapacity m = Machine("NVIDIA H200", 2);
  EXPECT_EQ(AllocateGpus(root_, "i-a", m, "H200", 1).value(), std::vector<int>{0});
  EXPECT_EQ(AllocateGpus(root_, "i-b", m, "H200", 1).value(), std::vector<int>{1});
  auto third = AllocateGpus(root_, "i-c", m, "H200", 1);
  ASSERT_EQ(third.status().code(), Code::kCapacity);
  EXPECT_NE(third.status().message().find("GPU 0 by i-a, GPU 1 by i-b"), std::string::npos)
      << third.status().message();
  EXPECT_FALSE(PathExists(Dir("i-c")));
  EXPECT_EQ(InstanceGpuEnvironment(Dir("i-b")),
            (std::map<std::string, std::string>{{"CUDA_VISIBLE_DEVICES", "1"}}));

  ASSERT_TRUE(WriteFileAtomic(Dir("i-a") + "/meta.json", R"({"state": "running"})").ok());
  EXPECT_FALSE(AllocateGpus(root_, "i-c", m, "H200", 1).ok());
  ASSERT_TRUE(WriteFileAtomic(Dir("i-a") + "/meta.json", R"({"state": "terminated"})").ok());
  EXPECT_EQ(AllocateGpus(root_, "i-c", m, "H200", 1).value(), std::vector<int>{0});
  EXPECT_EQ(ScanGpusInUse(root_), (GpusInUse{{0, "i-c"}, {1, "i-b"}}));
}

TEST_F(GpuAllocationTest, AnInstanceWithoutGpusSeesNone) {
  EXPECT_TRUE(AssignedGpus(Dir("i-cpu")).empty());
  EXPECT_EQ(InstanceGpuEnvironment(Dir("i-cpu")),
            (std::map<std::string, std::string>{{"CUDA_VISIBLE_DEVICES", ""}}));
}

}  // namespace
}  // namespace spotrun
