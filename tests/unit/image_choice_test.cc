// The image rules of cloud/aws/image_choice.h as plain values, and the DLAMI
// bootstrap's Python wrappers run in a temporary directory.
#include "cloud/aws/image_choice.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cloud/aws/aws_cloud.h"
#include "spec/job_spec.h"

namespace spotrun::aws {
namespace {

namespace fs = std::filesystem;

InstanceTypeInfo Type(const std::string& name, const std::string& arch,
                      const std::string& gpu_maker = "", const std::string& gpu = "",
                      int count = 0) {
  InstanceTypeInfo info;
  info.instance_type = name;
  info.architectures = {arch};
  info.gpu_manufacturer = gpu_maker;
  info.gpu_name = gpu;
  info.gpu_count = count;
  return info;
}

Image Named(const std::string& id, const std::string& name) {
  Image image;
  image.image_id = id;
  image.name = name;
  return image;
}

TEST(ImageChoiceTest, NeedsFromTheApi) {
  TypeNeeds g5 = NeedsFromApi(Type("g5.xlarge", "x86_64", "NVIDIA", "A10G", 1));
  EXPECT_EQ(g5.accelerators, Accelerators::kNvidia);
  EXPECT_EQ(g5.accelerator, "NVIDIA A10G");
  EXPECT_EQ(g5.arch, Arch::kX86_64);
  EXPECT_EQ(NeedsFromApi(Type("g5g.xlarge", "arm64", "NVIDIA", "T4g", 1)).arch, Arch::kArm64);
  EXPECT_EQ(NeedsFromApi(Type("p3.2xlarge", "x86_64", "NVIDIA", "V100", 1)).accelerators,
            Accelerators::kNvidiaPreTuring);
  EXPECT_EQ(NeedsFromApi(Type("g4ad.xlarge", "x86_64", "AMD", "Radeon Pro V520", 1)).accelerators,
            Accelerators::kOther);
  InstanceTypeInfo inf2 = Type("inf2.xlarge", "x86_64");
  inf2.neuron_name = "Inferentia2";
  inf2.neuron_count = 1;
  EXPECT_EQ(NeedsFromApi(inf2).accelerators, Accelerators::kNeuron);
  // A type that runs both (i386 and x86_64 types list both) is x86_64.
  InstanceTypeInfo both = Type("t2.micro", "x86_64");
  both.architectures = {"i386", "x86_64"};
  EXPECT_EQ(NeedsFromApi(both).arch, Arch::kX86_64);
}

TEST(ImageChoiceTest, NeedsFromTheCatalogWhenTheApiLacksTheType) {
  Offer p3{"p3.2xlarge", "V100", 1, 8, 61, 3.06, 0.9, "us-east-1", "use1-az1"};
  Offer c7g{"c7g.large", "", 0, 2, 4, 0.07, 0.03, "us-east-1", "use1-az1"};
  Offer trn1{"trn1.2xlarge", "Trainium", 1, 8, 32, 1.3, 0.5, "us-east-1", "use1-az1"};
  std::vector<Offer> catalog = {p3, c7g, trn1};
  std::optional<TypeNeeds> v100 = NeedsFromCatalog("p3.2xlarge", catalog);
  ASSERT_TRUE(v100);
  EXPECT_EQ(v100->accelerators, Accelerators::kNvidiaPreTuring);
  EXPECT_EQ(v100->accelerator, "NVIDIA V100");
  EXPECT_EQ(v100->source, "the bundled catalog");
  EXPECT_EQ(NeedsFromCatalog("c7g.large", catalog)->arch, Arch::kArm64);
  EXPECT_EQ(NeedsFromCatalog("p3.2xlarge", catalog)->arch, Arch::kX86_64);
  EXPECT_EQ(NeedsFromCatalog("trn1.2xlarge", catalog)->accelerators, Accelerators::kNeuron);
  EXPECT_FALSE(NeedsFromCatalog("x9.huge", catalog));
  // The bundled snapshot has p3.2xlarge.
  ASSERT_TRUE(NeedsFromCatalog("p3.2xlarge", Catalog::Bundled().offers()));
}

TEST(ImageChoiceTest, DefaultSearchByWhatTheTypeHas) {
  auto g5 = DefaultSearch(NeedsFromApi(Type("g5.xlarge", "x86_64", "NVIDIA", "A10G", 1)));
  ASSERT_TRUE(g5.ok());
  EXPECT_EQ(g5->owners, std::vector<std::string>{"amazon"});
  EXPECT_EQ(g5->name_pattern, "Deep Learning OSS Nvidia Driver AMI GPU PyTorch * (Ubuntu *) *");
  auto g5g = DefaultSearch(NeedsFromApi(Type("g5g.xlarge", "arm64", "NVIDIA", "T4g", 1)));
  EXPECT_EQ(g5g->name_pattern,
            "Deep Learning ARM64 AMI OSS Nvidia Driver GPU PyTorch * (Ubuntu *) *");
  EXPECT_EQ(g5g->arch, Arch::kArm64);
  auto c7g = DefaultSearch(NeedsFromApi(Type("c7g.large", "arm64")));
  EXPECT_EQ(c7g->owners, std::vector<std::string>{"099720109477"});
  EXPECT_EQ(c7g->name_pattern, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*");
  EXPECT_EQ(c7g->what, "the newest Ubuntu 24.04 LTS (arm64): c7g.large has no GPU");
  auto p3 = DefaultSearch(NeedsFromApi(Type("p3.2xlarge", "x86_64", "NVIDIA", "V100", 1)));
  EXPECT_EQ(p3.status().code(), Code::kInvalidArgument);
  EXPECT_NE(p3.status().message().find("g4dn.xlarge (T4)"), std::string::npos);
}

TEST(ImageChoiceTest, EveryAliasTheSpecAcceptsHasASearch) {
  for (const char* alias : kImageAliases) {
    EXPECT_TRUE(AliasSearch(alias, Arch::kX86_64).ok()) << alias;
    EXPECT_TRUE(AliasSearch(alias, Arch::kArm64).ok()) << alias;
  }
  EXPECT_EQ(AliasSearch("ubuntu-22.04", Arch::kArm64)->name_pattern,
            "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-*");
  EXPECT_FALSE(AliasSearch("centos-7", Arch::kX86_64).ok());
}

TEST(ImageChoiceTest, LoginUserPythonAndRootVolumeFollowTheImage) {
  Image dlami =
      Named("ami-1", "Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.8 (Ubuntu 24.04) 20251010");
  Image al =
      Named("ami-2", "Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.8 (Amazon Linux 2023) 1");
  Image al2023 = Named("ami-3", "al2023-ami-2023.9.20251020.0-kernel-6.1-x86_64");
  Image base =
      Named("ami-4", "Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 24.04) 20251025");
  EXPECT_EQ(LoginUserOf(dlami), "ubuntu");
  EXPECT_EQ(LoginUserOf(al), "ec2-user");
  EXPECT_EQ(LoginUserOf(al2023), "ec2-user");
  EXPECT_EQ(PythonEnvOf(dlami), "/opt/pytorch");
  EXPECT_EQ(PythonEnvOf(base), "");
  dlami.root_volume_gb = 75;
  EXPECT_EQ(*RootVolumeGb(0, dlami), 75);
  EXPECT_EQ(*RootVolumeGb(100, dlami), 100);
  EXPECT_EQ(*RootVolumeGb(0, base), 50);
  EXPECT_EQ(RootVolumeGb(60, dlami).status().message(),
            "resources.disk_size: 60 GB is smaller than the root snapshot of image ami-1 (75 "
            "GB); give at least 75");
}

TEST(ImageChoiceTest, DlamiBootstrapWrappersRunTheEnvironmentsPython) {
  EXPECT_EQ(BootstrapFor(""), kInstanceBootstrap);
  fs::path dir = fs::path(testing::TempDir()) / "spotrun-bootstrap-test";
  fs::remove_all(dir);
  fs::create_directories(dir / "env/bin");
  fs::create_directories(dir / "bin");
  std::ofstream(dir / "env/bin/python3") << "#!/bin/sh\necho \"env python $0 $*\"\n";
  fs::permissions(dir / "env/bin/python3", fs::perms::owner_all);
  // Only the wrapper part (before the package installs), with the system
  // paths moved under `dir`.
  std::string script = BootstrapFor(dir.string() + "/env");
  script = script.substr(0, script.find("have()"));
  for (const std::string from : {"/usr/local/bin", "/var/lib/spotrun"}) {
    for (size_t at; (at = script.find(from)) != std::string::npos;) {
      script.replace(at, from.size(), dir.string() + (from == "/usr/local/bin" ? "/bin" : "/lib"));
    }
  }
  std::ofstream(dir / "boot.sh") << script;
  ASSERT_EQ(std::system(("sh " + (dir / "boot.sh").string()).c_str()), 0);
  EXPECT_TRUE(fs::exists(dir / "lib/python-env"));
  EXPECT_FALSE(fs::exists(dir / "bin/pip"));  // The environment has none.
  std::string out_file = (dir / "out").string();
  ASSERT_EQ(std::system((dir / "bin/python3").string().append(" -c 1 > " + out_file).c_str()), 0);
  std::ifstream in(out_file);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "env python " + (dir / "env/bin/python3").string() + " -c 1");
  fs::remove_all(dir);
  EXPECT_EQ(ReadyCommand("/opt/pytorch"),
            std::string("test -e /var/lib/spotrun/python-env && ") + kBootstrapReady);
}

}  // namespace
}  // namespace spotrun::aws
