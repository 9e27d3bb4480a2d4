// Job files with mistakes: each error is one line that names the file, the
// 1-based line and column, and the field.
#include <gtest/gtest.h>

#include <chrono>

#include "spec/job_spec.h"
#include "spec_test_util.h"

namespace spotrun {
namespace {

using JobSpecErrorTest = SpecTest;

TEST_F(JobSpecErrorTest, YamlSyntaxError) {
  EXPECT_EQ(Error("run: x\nresources:\n  cpus: [1, 2\n"),
            At("4:1: YAML syntax error: while parsing a flow sequence: did not find expected ',' "
               "or ']'"));
  EXPECT_EQ(Error("run: x\nname: a: b\n"),
            At("2:8: YAML syntax error: mapping values are not allowed in this context"));
}

TEST_F(JobSpecErrorTest, TextThatIsNotUtf8IsRefusedWhereItStops) {
  EXPECT_EQ(Error("run: x\ninputs:\n  a.csv: https://h/\xff\xff.csv\n"),
            At("3:20: the file is not UTF-8 text (byte 0xFF here); save it as UTF-8"));
  EXPECT_EQ(Error("\xfe\xffrun: x\n"),
            At("1:1: the file is not UTF-8 text (byte 0xFE here); save it as UTF-8"));
  // A UTF-8 byte order mark and non-ASCII text are fine.
  EXPECT_EQ(Error("\xef\xbb\xbfrun: echo h\xc3\xa9\nname: [1\n"),
            At("3:1: YAML syntax error: while parsing a flow sequence: did not find expected ',' "
               "or ']'"));
}

// yaml-cpp 0.7 alone loops for ever on these (found by the job_spec fuzzer).
TEST_F(JobSpecErrorTest, StrayCommaIsASyntaxErrorNotAHang) {
  EXPECT_EQ(Error("\n, #"),
            At("2:1: YAML syntax error: while parsing a block node: did not find expected node "
               "content"));
  EXPECT_EQ(Error("run: x\n,\n"),
            At("2:1: YAML syntax error: while parsing a block mapping: did not find expected key"));
}

// libyaml accepts these; yaml-cpp 0.7 alone loops for ever on them.
TEST_F(JobSpecErrorTest, TextTheYamlReaderCannotFinishIsRefusedInTime) {
  for (const char* text : {"!t a\n,", "&x a\n,b"}) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(Error(text),
              At("1:1: the YAML reader (yaml-cpp) does not finish on this file; look for a line "
                 "that starts with ',' after a tag ('!') or an anchor ('&')"));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  }
}

TEST_F(JobSpecErrorTest, EmptyFileNeedsRun) {
  EXPECT_EQ(Error(""), At("1:1: run: missing required key (the job file is empty)"));
  EXPECT_EQ(Error("# only a comment\n"),
            At("1:1: run: missing required key (the job file is empty)"));
}

TEST_F(JobSpecErrorTest, TopLevelMustBeAMapping) {
  EXPECT_EQ(Error("- run: x\n"),
            At("1:1: the top level of a job file must be a mapping of keys such as 'run:', got a "
               "list"));
  EXPECT_EQ(Error("just text\n"),
            At("1:1: the top level of a job file must be a mapping of keys such as 'run:', got a "
               "string"));
}

TEST_F(JobSpecErrorTest, OnlyOneDocument) {
  EXPECT_EQ(Error("run: x\n---\nrun: y\n"),
            At("3:1: the file holds more than one YAML document; a job file is one document"));
}

TEST_F(JobSpecErrorTest, MissingRun) {
  EXPECT_EQ(Error("name: a\n\ncloud: local\n"),
            At("1:1: run: missing required key: give the command that trains"));
  EXPECT_EQ(Error("name: a\nrun:\n"),
            At("2:1: run: must not be empty: give the command that trains"));
  EXPECT_EQ(Error("run: \"  \"\n"),
            At("1:6: run: must not be empty: give the command that trains"));
}

TEST_F(JobSpecErrorTest, UnknownKeysSuggestTheClosestOne) {
  EXPECT_EQ(Error("run: x\nresourses:\n  cpus: 2\n"),
            At("2:1: resourses: unknown key; did you mean 'resources'?"));
  EXPECT_EQ(Error("run: x\nresources:\n  cpu: 2\n"),
            At("3:3: resources.cpu: unknown key; did you mean 'cpus'?"));
  EXPECT_EQ(Error("run: x\nbudget: {max_cots: 3}\n"),
            At("2:10: budget.max_cots: unknown key; did you mean 'max_cost'?"));
  EXPECT_EQ(Error("run: x\ncheckpoint:\n  path: ck\n"),
            At("3:3: checkpoint.path: unknown key; expected one of: store, dir, sync_interval"));
  EXPECT_EQ(
      Error("run: x\nflavour: big\n"),
      At("2:1: flavour: unknown key; expected one of: name, cloud, resources, workdir, "
         "inputs, envs, secrets, setup, run, outputs, checkpoint, recovery, budget, ssh_cidr, "
         "deadline, policy, idle_minutes"));
}

TEST_F(JobSpecErrorTest, DuplicateAndNonStringKeys) {
  EXPECT_EQ(Error("run: x\nrun: y\n"), At("2:1: run: duplicate key"));
  EXPECT_EQ(Error("run: x\n[a, b]: 1\n"), At("2:1: keys must be strings, got a list"));
}

TEST_F(JobSpecErrorTest, WrongTypes) {
  EXPECT_EQ(Error("run: x\nresources:\n  cpus: \"many\"\n"),
            At("3:9: resources.cpus: expected a number, got 'many'"));
  EXPECT_EQ(Error("run: x\nresources:\n  use_spot: maybe\n"),
            At("3:13: resources.use_spot: expected true or false, got 'maybe'"));
  EXPECT_EQ(Error("run: {a: 1}\n"),
            At("1:6: run: expected a string or a list of strings, got a mapping"));
  EXPECT_EQ(Error("run: [a, [b]]\n"), At("1:10: run[1]: expected a string, got a list"));
  EXPECT_EQ(Error("run: x\nresources: 4\n"),
            At("2:12: resources: expected a mapping, got a string"));
  EXPECT_EQ(Error("run: x\nname: [a]\n"), At("2:7: name: expected a string, got a list"));
  EXPECT_EQ(Error("run: x\nresources:\n  disk_size: 10.5\n"),
            At("3:14: resources.disk_size: expected a whole number, got '10.5'"));
  EXPECT_EQ(Error("run: x\noutputs: model.pt\n"),
            At("2:10: outputs: expected a list of paths or a mapping remote -> dest, got a "
               "string"));
}

TEST_F(JobSpecErrorTest, NumbersOutOfRange) {
  EXPECT_EQ(Error("run: x\nresources:\n  cpus: -2\n"),
            At("3:9: resources.cpus: must be > 0, got -2"));
  EXPECT_EQ(Error("run: x\nresources:\n  cpus: 0\n"),
            At("3:9: resources.cpus: must be > 0, got 0"));
  EXPECT_EQ(Error("run: x\nresources:\n  max_price: 0\n"),
            At("3:14: resources.max_price: must be > 0, got 0"));
  EXPECT_EQ(Error("run: x\nresources:\n  disk_size: 20000\n"),
            At("3:14: resources.disk_size: must be between 1 and 16384, got 20000"));
  EXPECT_EQ(Error("run: x\nbudget:\n  max_cost: -1\n"),
            At("3:13: budget.max_cost: must be > 0, got -1"));
}

TEST_F(JobSpecErrorTest, BadMemoryAndDurations) {
  EXPECT_EQ(Error("run: x\nresources:\n  memory: lots\n"),
            At("3:11: resources.memory: expected a size such as 16, \"16G\", \"16GiB\" or "
               "\"512M\", got 'lots'"));
  EXPECT_EQ(Error("run: x\nresources:\n  memory: 0G\n"),
            At("3:11: resources.memory: must be > 0, got 0G"));
  EXPECT_EQ(Error("run: x\nbudget:\n  max_duration: 2 hours\n"),
            At("3:17: budget.max_duration: expected seconds or a duration such as \"90s\", "
               "\"30m\", \"2h\", \"1d\" or \"1h30m\", got '2 hours'"));
  EXPECT_EQ(Error("run: x\nbudget:\n  max_duration: 0m\n"),
            At("3:17: budget.max_duration: must be > 0, got 0m"));
}

TEST_F(JobSpecErrorTest, BadNamesCloudsAndAccelerators) {
  EXPECT_EQ(Error("run: x\nname: my job\n"),
            At("2:7: name: 'my job' is not a valid name; use 1 to 63 letters, digits, '.', '_' or "
               "'-' (not '.' or '..')"));
  EXPECT_NE(Error("run: x\nname: " + std::string(64, 'a') + "\n"), "");
  EXPECT_EQ(Error("run: x\ncloud: AWS\n"),
            At("2:8: cloud: must be 'local' or 'aws', got 'AWS'; did you mean 'aws'?"));
  EXPECT_EQ(Error("run: x\nresources:\n  accelerators: V100:0\n"),
            At("3:17: resources.accelerators: accelerator count must be between 1 and 1024, got "
               "V100:0"));
  EXPECT_EQ(Error("run: x\nresources:\n  accelerators: \"V100:two\"\n"),
            At("3:17: resources.accelerators: expected NAME or NAME:COUNT such as \"V100:1\", "
               "got 'V100:two'"));
}

TEST_F(JobSpecErrorTest, BadEnvs) {
  EXPECT_EQ(Error("run: x\nenvs:\n  1FOO: a\n"),
            At("3:3: envs.1FOO: '1FOO' is not a valid variable name; use letters, digits and "
               "'_', not starting with a digit"));
  EXPECT_EQ(Error("run: x\nenvs:\n  MY-VAR: a\n"),
            At("3:3: envs.MY-VAR: 'MY-VAR' is not a valid variable name; use letters, digits and "
               "'_', not starting with a digit"));
  EXPECT_EQ(Error("run: x\nenvs:\n  A: [1]\n"),
            At("3:6: envs.A: expected a string, number or bool, got a list"));
  EXPECT_EQ(Error("run: x\nenvs: [A]\n"), At("2:7: envs: expected a mapping, got a list"));
}

TEST_F(JobSpecErrorTest, DeepNestingIsAnErrorNotACrash) {
  const std::string text = "run: " + std::string(100000, '[') + "\n";
  EXPECT_NE(Error(text).find("YAML syntax error"), std::string::npos);
}

TEST_F(JobSpecErrorTest, LineBreaksInKeysStayEscaped) {
  EXPECT_EQ(
      Error("run: x\n\"a\\nb\": 1\n"),
      At("2:1: a\\nb: unknown key; expected one of: name, cloud, resources, workdir, "
         "inputs, envs, secrets, setup, run, outputs, checkpoint, recovery, budget, ssh_cidr, "
         "deadline, policy, idle_minutes"));
}

}  // namespace
}  // namespace spotrun

namespace spotrun {
namespace {

TEST(RecoverySpecTest, DefaultsAndValues) {
  auto dir = std::filesystem::temp_directory_path() / ("spotrun-rec-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto spec = ParseJobSpec("run: x\n", (dir / "job.yaml").string());
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->recovery.max_restarts, 0);
  EXPECT_FALSE(spec->recovery.on_demand_fallback);
  EXPECT_EQ(spec->recovery.signal, "SIGTERM");
  EXPECT_EQ(spec->checkpoint.sync_interval_s, 300);
  spec = ParseJobSpec(
      "run: x\ncheckpoint: {sync_interval: 2m}\nrecovery:\n  max_restarts: 2\n"
      "  on_demand_fallback: yes\n  signal: SIGUSR1\n  grace_period: 30s\n"
      "  controller_timeout: 1h\n",
      (dir / "job.yaml").string());
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->checkpoint.sync_interval_s, 120);
  EXPECT_EQ(spec->recovery.max_restarts, 2);
  EXPECT_TRUE(spec->recovery.on_demand_fallback);
  EXPECT_EQ(spec->recovery.signal, "SIGUSR1");
  EXPECT_EQ(spec->recovery.grace_period_s, 30);
  EXPECT_EQ(spec->recovery.controller_timeout_s, 3600);
  auto bad = ParseJobSpec("run: x\nrecovery:\n  signal: SIGKILL\n", (dir / "job.yaml").string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(":3:11: recovery.signal: expected one of"),
            std::string::npos)
      << bad.status().message();
  bad = ParseJobSpec("run: x\nrecovery: {max_restarts: -1}\n", (dir / "job.yaml").string());
  EXPECT_FALSE(bad.ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spotrun
