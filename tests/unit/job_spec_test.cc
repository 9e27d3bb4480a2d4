// Job files that parse: every field lands in JobSpec, defaults fill the rest.
#include "spec/job_spec.h"

#include <gtest/gtest.h>

#include <fstream>

#include "spec_test_util.h"

namespace spotrun {
namespace {

using JobSpecTest = SpecTest;

TEST_F(JobSpecTest, FullSpecFillsEveryField) {
  Touch("data/train.csv");
  MakeDir("src");
  const std::string text = R"(name: resnet-50.v2
cloud: aws
resources:
  cpus: 8
  memory: 61GiB
  accelerators: V100:4
  instance_type: p3.8xlarge
  use_spot: false
  max_price: 3.5
  region: us-west-2
  zone: us-west-2b
  disk_size: 200
  image: ami-0123456789abcdef0
workdir: src
inputs:
  data/train.csv: data/train.csv
  weights/base.pt: https://example.com/base.pt
  shards: s3://bucket/shards/
envs:
  LR: 0.001
  USE_AMP: true
  NAME: "hello world"
setup: pip install -r requirements.txt
run: |
  python train.py --epochs 10
outputs:
  - model.pt
  - logs/*.txt: logs/
checkpoint:
  dir: ./ckpt//latest
budget:
  max_cost: 25
  max_duration: 1h30m
)";
  Result<JobSpec> spec = Parse(text);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->name, "resnet-50.v2");
  EXPECT_EQ(spec->cloud, "aws");
  const Resources& r = spec->resources;
  EXPECT_EQ(r.cpus, 8);
  EXPECT_EQ(r.memory_gib, 61);
  EXPECT_EQ(r.accelerator, "V100");
  EXPECT_EQ(r.accelerator_count, 4);
  EXPECT_EQ(r.instance_type, "p3.8xlarge");
  EXPECT_FALSE(r.use_spot);
  EXPECT_EQ(r.max_price, 3.5);
  EXPECT_EQ(r.region, "us-west-2");
  EXPECT_EQ(r.zone, "us-west-2b");
  EXPECT_EQ(r.disk_size_gb, 200);
  EXPECT_EQ(r.image, "ami-0123456789abcdef0");
  EXPECT_EQ(spec->workdir, Abs("src"));

  ASSERT_EQ(spec->inputs.size(), 3u);
  EXPECT_EQ(spec->inputs[0].remote, "data/train.csv");
  EXPECT_EQ(spec->inputs[0].source, Abs("data/train.csv"));
  EXPECT_FALSE(spec->inputs[0].is_url);
  EXPECT_EQ(spec->inputs[0].line, 16);
  EXPECT_EQ(spec->inputs[1].remote, "weights/base.pt");
  EXPECT_EQ(spec->inputs[1].source, "https://example.com/base.pt");
  EXPECT_TRUE(spec->inputs[1].is_url);
  EXPECT_EQ(spec->inputs[2].source, "s3://bucket/shards/");
  EXPECT_TRUE(spec->inputs[2].is_url);
  EXPECT_EQ(spec->inputs[2].line, 18);

  const std::map<std::string, std::string> envs = {
      {"LR", "0.001"}, {"USE_AMP", "true"}, {"NAME", "hello world"}};
  EXPECT_EQ(spec->envs, envs);
  EXPECT_EQ(spec->setup, "pip install -r requirements.txt");
  EXPECT_EQ(spec->run, "python train.py --epochs 10\n");

  ASSERT_EQ(spec->outputs.size(), 2u);
  EXPECT_EQ(spec->outputs[0].remote, "model.pt");
  EXPECT_EQ(spec->outputs[0].dest, "");
  EXPECT_EQ(spec->outputs[0].line, 27);
  EXPECT_EQ(spec->outputs[1].remote, "logs/*.txt");
  EXPECT_EQ(spec->outputs[1].dest, "logs/");
  EXPECT_EQ(spec->outputs[1].line, 28);
  EXPECT_EQ(spec->checkpoint.dir, "ckpt/latest");
  EXPECT_EQ(spec->budget.max_cost, 25);
  EXPECT_EQ(spec->budget.max_duration_s, 5400);
  EXPECT_EQ(spec->source_path, JobPath());
}

TEST_F(JobSpecTest, DefaultsFillWhatIsLeftOut) {
  Result<JobSpec> spec = Parse("run: python train.py\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->name, "proj");
  EXPECT_EQ(spec->cloud, "local");
  EXPECT_EQ(spec->resources.cpus, 1);
  EXPECT_EQ(spec->resources.memory_gib, 0);
  EXPECT_EQ(spec->resources.accelerator, "");
  EXPECT_EQ(spec->resources.accelerator_count, 0);
  EXPECT_TRUE(spec->resources.use_spot);
  EXPECT_EQ(spec->resources.max_price, std::nullopt);
  EXPECT_EQ(spec->resources.disk_size_gb, 0);  // Not given: the cloud picks (aws: 50 or more).
  EXPECT_EQ(spec->workdir, dir_.string());
  EXPECT_TRUE(spec->inputs.empty());
  EXPECT_TRUE(spec->envs.empty());
  EXPECT_EQ(spec->setup, "");
  EXPECT_TRUE(spec->outputs.empty());
  EXPECT_EQ(spec->checkpoint.dir, "checkpoints");
  EXPECT_EQ(spec->budget.max_cost, std::nullopt);
  EXPECT_EQ(spec->budget.max_duration_s, std::nullopt);
}

TEST_F(JobSpecTest, EmptyValuesMeanNotGiven) {
  Result<JobSpec> spec = Parse(
      "name:\nresources:\n  cpus:\ninputs:\noutputs:\ncheckpoint:\n  dir:\nbudget:\nrun: x\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->name, "proj");
  EXPECT_EQ(spec->resources.cpus, 1);
  EXPECT_EQ(spec->checkpoint.dir, "checkpoints");
}

TEST_F(JobSpecTest, DefaultNameIsTheSanitizedDirectoryName) {
  const std::filesystem::path odd = root_ / "My Job (v2)";
  std::filesystem::create_directories(odd);
  Result<JobSpec> spec = ParseJobSpec("run: x\n", (odd / "job.yaml").string());
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->name, "My-Job--v2-");
}

TEST_F(JobSpecTest, ListFormScriptsAreJoinedWithNewlines) {
  Result<JobSpec> spec =
      Parse("setup:\n  - pip install torch\n  - mkdir -p out\nrun: [python a.py, python b.py]\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->setup, "pip install torch\nmkdir -p out");
  EXPECT_EQ(spec->run, "python a.py\npython b.py");
}

TEST_F(JobSpecTest, ResourceShorthands) {
  Result<JobSpec> spec = Parse(
      "resources:\n  cpus: 0.5\n  memory: 512M\n  accelerators: T4\n  use_spot: yes\nrun: x\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->resources.cpus, 0.5);
  EXPECT_EQ(spec->resources.memory_gib, 0.5);
  EXPECT_EQ(spec->resources.accelerator, "T4");
  EXPECT_EQ(spec->resources.accelerator_count, 1);
  EXPECT_TRUE(spec->resources.use_spot);
  spec = Parse("resources: {memory: 16}\nbudget: {max_duration: 90}\nrun: x\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->resources.memory_gib, 16);
  EXPECT_EQ(spec->budget.max_duration_s, 90);
}

TEST_F(JobSpecTest, OutputsAsAMappingAndInputsAsDirectories) {
  MakeDir("dataset");
  Result<JobSpec> spec = Parse(
      "inputs:\n  data: ./dataset/\noutputs:\n  out/model.pt: models/final.pt\n  "
      "runs/: tb\nrun: x\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_EQ(spec->inputs.size(), 1u);
  EXPECT_EQ(spec->inputs[0].source, Abs("dataset"));
  ASSERT_EQ(spec->outputs.size(), 2u);
  EXPECT_EQ(spec->outputs[0].remote, "out/model.pt");
  EXPECT_EQ(spec->outputs[0].dest, "models/final.pt");
  EXPECT_EQ(spec->outputs[0].line, 4);
  EXPECT_EQ(spec->outputs[1].remote, "runs/");
  EXPECT_EQ(spec->outputs[1].dest, "tb");
}

TEST_F(JobSpecTest, AbsoluteWorkdirAndInputs) {
  Touch("abs/file.bin");
  const std::string abs_dir = Abs("abs");
  Result<JobSpec> spec =
      Parse("workdir: " + abs_dir + "/\ninputs:\n  file.bin: " + abs_dir + "/file.bin\nrun: x\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->workdir, abs_dir);
  EXPECT_EQ(spec->inputs[0].source, abs_dir + "/file.bin");
}

TEST_F(JobSpecTest, LoadJobSpecReadsTheFile) {
  std::ofstream(JobPath()) << "name: from-disk\nrun: echo hi\n";
  Result<JobSpec> spec = LoadJobSpec(JobPath());
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->name, "from-disk");
  EXPECT_EQ(spec->source_path, JobPath());
}

TEST_F(JobSpecTest, LoadJobSpecReportsAMissingFile) {
  Result<JobSpec> spec = LoadJobSpec(Abs("nope.yaml"));
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(spec.status().message(),
            Abs("nope.yaml") + ": cannot open job file: No such file or directory");
  spec = LoadJobSpec(dir_.string());
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().message(), dir_.string() + ": is a directory, not a job file");
}

TEST_F(JobSpecTest, EnvValuesKeepTheirYamlText) {
  Result<JobSpec> spec = Parse("envs:\n  A: 1e-3\n  B: off\n  C:\n  D: '007'\nrun: x\n");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const std::map<std::string, std::string> envs = {
      {"A", "1e-3"}, {"B", "off"}, {"C", ""}, {"D", "007"}};
  EXPECT_EQ(spec->envs, envs);
}

TEST_F(JobSpecTest, EmptyPathResolvesAgainstTheCurrentDirectory) {
  Result<JobSpec> spec = ParseJobSpec("run: x\n", "");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->workdir, std::filesystem::current_path().string());
  EXPECT_EQ(spec->source_path, "");
}

}  // namespace
}  // namespace spotrun
