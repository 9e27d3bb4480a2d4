// SkyPilot's task format read into JobSpec (src/spec/skypilot*.cc), --env,
// and the spotrun job file written back (src/spec/job_file_writer.cc).
#include <gtest/gtest.h>

#include "spec/job_file_writer.h"
#include "spec_test_util.h"

namespace spotrun {
namespace {

using SkyPilotSpecTest = SpecTest;

TEST_F(SkyPilotSpecTest, RecognisedByItsKeysWithSkyPilotsDefaults) {
  auto spec = Parse("resources:\n  infra: aws/us-west-2/us-west-2b\n  cpus: 4\nrun: echo hi\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->format, static_cast<int>(SpecFormat::kSkyPilot));
  EXPECT_EQ(spec->cloud, "aws");
  EXPECT_EQ(spec->resources.region, "us-west-2");
  EXPECT_EQ(spec->resources.zone, "us-west-2b");
  EXPECT_FALSE(spec->resources.use_spot);   // SkyPilot's default market is on-demand.
  EXPECT_TRUE(spec->resources.cpus_exact);  // A bare number is exact.
  EXPECT_EQ(spec->workdir, "");             // No workdir: nothing uploaded.
}

TEST_F(SkyPilotSpecTest, SpotrunFilesStaySpotrun) {
  auto spec = Parse("cloud: local\nresources:\n  cpus: 4\nrun: echo hi\n");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->format, 0);
  EXPECT_FALSE(spec->resources.cpus_exact);
  EXPECT_TRUE(spec->resources.use_spot);
}

TEST_F(SkyPilotSpecTest, ForcedFormat) {
  auto spec = ParseJobSpec("resources:\n  cpus: 4\nrun: echo\n", JobPath(),
                           {.format = SpecFormat::kSkyPilot, .env_overrides = {}});
  ASSERT_TRUE(spec.ok());
  EXPECT_TRUE(spec->resources.cpus_exact);
}

TEST_F(SkyPilotSpecTest, CpusAndMemoryBounds) {
  auto spec =
      Parse("resources:\n  cpus: 4+\n  memory: 2x\n  disk_size: 256GB\nfile_mounts: {}\nrun: x\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_FALSE(spec->resources.cpus_exact);
  EXPECT_DOUBLE_EQ(spec->resources.memory_per_cpu, 2);
  EXPECT_EQ(spec->resources.disk_size_gb, 256);
  auto exact = Parse("resources:\n  cpus: 8\n  memory: 32\nnum_nodes: 1\nrun: x\n");
  ASSERT_TRUE(exact.ok());
  EXPECT_TRUE(exact->resources.memory_exact);
  EXPECT_DOUBLE_EQ(exact->resources.memory_gib, 32);
}

TEST_F(SkyPilotSpecTest, AcceleratorForms) {
  auto set = Parse("resources:\n  accelerators: {L4, A10G: 2}\nrun: x\n");
  ASSERT_TRUE(set.ok()) << set.status().message();
  ASSERT_EQ(set->resources.any_of.size(), 2u);
  EXPECT_FALSE(set->resources.ordered);
  EXPECT_EQ(set->resources.any_of[0].accelerator, "L4");
  EXPECT_EQ(set->resources.any_of[0].accelerator_count, 1);
  EXPECT_EQ(set->resources.any_of[1].accelerator_count, 2);
  auto list = Parse("resources:\n  accelerators: [A100:8, V100:8]\nrun: x\n");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->resources.ordered);
  EXPECT_EQ(list->resources.any_of[0].accelerator, "A100");
  auto fraction = Parse("resources:\n  accelerators: {T4: 0.5}\nrun: x\n");
  ASSERT_TRUE(fraction.ok());
  EXPECT_EQ(fraction->resources.accelerator_count, 1);
  ASSERT_EQ(fraction->notes.size(), 1u);
  EXPECT_NE(fraction->notes[0].find("fraction"), std::string::npos);
}

TEST_F(SkyPilotSpecTest, AnyOfTakesOuterDefaults) {
  auto spec = Parse(
      "resources:\n  any_of:\n    - {accelerators: V100:1}\n    - {accelerators: T4:1, use_spot: "
      "false}\n  use_spot: true\n  disk_size: 100\nrun: x\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_EQ(spec->resources.any_of.size(), 2u);
  EXPECT_TRUE(spec->resources.any_of[0].use_spot);
  EXPECT_FALSE(spec->resources.any_of[1].use_spot);
  EXPECT_EQ(spec->resources.any_of[1].disk_size_gb, 100);
}

TEST_F(SkyPilotSpecTest, ImagePerRegionBecomesOneCandidateEach) {
  auto spec =
      Parse("resources:\n  infra: aws\n  image_id: {us-east-1: ami-1, us-west-2: ami-2}\nrun: x\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_EQ(spec->resources.any_of.size(), 2u);
  EXPECT_EQ(spec->resources.any_of[1].region, "us-west-2");
  EXPECT_EQ(spec->resources.any_of[1].image, "ami-2");
}

TEST_F(SkyPilotSpecTest, RefusalsNameFileLineAndField) {
  EXPECT_EQ(Error("num_nodes: 2\nrun: x\n").rfind(At("1:12: num_nodes: multi-node"), 0), 0u);
  EXPECT_NE(Error("resources:\n  disk_tier: best\nrun: x\n").find(":2:14: resources.disk_tier:"),
            std::string::npos);
  EXPECT_NE(Error("resources:\n  infra: gcp\nrun: x\n").find("resources.infra: cloud 'gcp'"),
            std::string::npos);
  EXPECT_NE(Error("file_mounts:\n  ~/d: gs://b/d\nrun: x\n").find("file_mounts.~/d: 'gs://'"),
            std::string::npos);
  EXPECT_NE(Error("resources:\n  image_id: docker:ubuntu\nrun: x\n").find("resources.image_id"),
            std::string::npos);
  EXPECT_NE(
      Error("service: {}\nresources:\n  bogus: 1\nrun: x\n").find("resources.bogus: unknown key"),
      std::string::npos);
}

TEST_F(SkyPilotSpecTest, FileMountsSubstituteEnvs) {
  auto spec = ParseJobSpec(
      "envs:\n  B: bucket\n  P:\nfile_mounts:\n  ~/data/${P}:\n    source: s3://${B}/${P}/\n"
      "    mode: MOUNT\nrun: x\n",
      JobPath(), {.format = SpecFormat::kAuto, .env_overrides = {{"P", "train"}}});
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_EQ(spec->inputs.size(), 1u);
  EXPECT_EQ(spec->inputs[0].remote, "~/data/train");
  EXPECT_EQ(spec->inputs[0].source, "s3://bucket/train/");
  EXPECT_TRUE(spec->inputs[0].is_url);
  ASSERT_EQ(spec->notes.size(), 1u);
  EXPECT_NE(spec->notes[0].find("done as COPY"), std::string::npos);
}

TEST_F(SkyPilotSpecTest, EnvOverridesAndRequiredVariables) {
  auto spec = Parse("envs:\n  A: 1\n  NEED:\nsecrets:\n  TOKEN: null\nrun: x\n");
  ASSERT_TRUE(spec.ok());
  Status missing = ApplyEnvOverrides({{"NEED", "yes"}}, &*spec);
  EXPECT_NE(missing.message().find(":5:1: secrets.TOKEN: required"), std::string::npos)
      << missing.message();
  ASSERT_TRUE(ApplyEnvOverrides({{"NEED", "yes"}, {"TOKEN", "s3cr3t"}}, &*spec).ok());
  EXPECT_EQ(spec->envs["NEED"], "yes");
  EXPECT_EQ(spec->secrets["TOKEN"], "s3cr3t");
  EXPECT_EQ(spec->envs.count("TOKEN"), 0u);
  auto from_env = ResolveEnvFlags({"A=2", "HOME"}, {{"HOME", "/h"}});
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ((*from_env)["HOME"], "/h");
  EXPECT_FALSE(ResolveEnvFlags({"UNSET_ONE"}, {}).ok());
}

TEST_F(SkyPilotSpecTest, WrittenFileParsesBackWithoutSecretValues) {
  auto spec = Parse(
      "name: t\nsecrets:\n  TOKEN: s3cr3t\nenvs:\n  E: v\nresources:\n  use_spot: true\n"
      "  ports: [8080, 9000-9001]\n  labels: {team: ml}\n  ordered:\n    - {cpus: 8, memory: 32}\n"
      "    - {cpus: 2+, memory: 4x}\nrun: |\n  echo a\n  echo b\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const std::string text = WriteJobFile(*spec);
  EXPECT_EQ(text.find("s3cr3t"), std::string::npos) << text;
  auto back = ParseJobSpec(text, JobPath());
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << text;
  EXPECT_EQ(back->format, 0);
  EXPECT_EQ(back->secrets.count("TOKEN"), 1u);
  EXPECT_EQ(back->secrets["TOKEN"], "");
  EXPECT_EQ(back->envs["E"], "v");
  EXPECT_EQ(back->run, spec->run);
  EXPECT_EQ(back->workdir, "");
  const Resources& r = back->resources;
  EXPECT_TRUE(r.ordered);
  ASSERT_EQ(r.any_of.size(), 2u);
  EXPECT_TRUE(r.any_of[0].cpus_exact);
  EXPECT_TRUE(r.any_of[0].memory_exact);
  EXPECT_DOUBLE_EQ(r.any_of[1].memory_per_cpu, 4);
  EXPECT_EQ(r.any_of[1].ports, spec->resources.any_of[1].ports);
  EXPECT_EQ(r.any_of[1].labels.at("team"), "ml");
  EXPECT_TRUE(r.any_of[1].use_spot);
}

}  // namespace
}  // namespace spotrun
