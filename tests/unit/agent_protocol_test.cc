#include "jobs/agent_protocol.h"

#include <gtest/gtest.h>

namespace spotrun {
namespace {

TEST(AgentProtocolTest, PollOutputCarriesRunStartAndProgress) {
  auto r = ParsePollOutput(
      R"({"phase":"run","run_started_at":1700000123.5,"progress":0.25,"supervisor_alive":true})"
      "\nepoch 2/8\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status.phase, "run");
  EXPECT_DOUBLE_EQ(r->status.run_started_at, 1700000123.5);
  ASSERT_TRUE(r->status.progress.has_value());
  EXPECT_DOUBLE_EQ(*r->status.progress, 0.25);
  EXPECT_TRUE(r->status.supervisor_alive);
  EXPECT_EQ(r->log, "epoch 2/8\n");
}

TEST(AgentProtocolTest, ProgressIsOptionalAndClamped) {
  auto none = ParsePollOutput("{\"phase\":\"setup\"}\n");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->status.progress.has_value());
  EXPECT_EQ(none->status.run_started_at, 0);
  auto over = ParsePollOutput("{\"phase\":\"run\",\"progress\":1.5}\n");
  ASSERT_TRUE(over.ok());
  EXPECT_DOUBLE_EQ(*over->status.progress, 1.0);
  auto text = ParsePollOutput("{\"phase\":\"run\",\"progress\":\"half\"}\n");
  ASSERT_TRUE(text.ok());
  EXPECT_FALSE(text->status.progress.has_value());
}

// Seen while writing fuzz_agent_status, and replayed with it: a field of
// another type threw out of ParsePollOutput (nlohmann type_error), and a huge
// number was converted to int.
TEST(AgentProtocolTest, DamagedStatusFieldsAreABadLineNotACrash) {
  for (const char* line : {"{\"exit_code\":\"x\"}", "{\"phase\":1}", "{\"exit_code\":1e300}",
                           "{\"final_snapshot\":4294967296}", "{\"missing_outputs\":[1]}",
                           "{\"supervisor_alive\":\"yes\"}", "{\"run_started_at\":[]}",
                           "{\"notice\":{}}", "{\"message\":false}"}) {
    Result<PollResult> r = ParsePollOutput(std::string(line) + "\nlog\n");
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_EQ(r.status().code(), Code::kUnavailable) << line;
    EXPECT_NE(r.status().message().find("bad status line: field '"), std::string::npos)
        << r.status().message();
  }
  Result<PollResult> nulls = ParsePollOutput("{\"phase\":null,\"exit_code\":null}\n");
  ASSERT_TRUE(nulls.ok());
  EXPECT_EQ(nulls->status.phase, "starting");
  EXPECT_EQ(nulls->status.exit_code, -1);
  Result<PollResult> killed = ParsePollOutput("{\"phase\":\"done\",\"exit_code\":-9}\n");
  ASSERT_TRUE(killed.ok());
  EXPECT_EQ(killed->status.exit_code, -9);
}

// The status line is read in one pass when it is a flat object of known
// fields, else as a tree: both give the same status, and a line that is not
// an object is bad either way.
TEST(AgentProtocolTest, FlatAndNestedStatusLinesReadAlike) {
  Result<PollResult> flat = ParsePollOutput(
      R"({"phase":"run","exit_code":0,"message":"m","notice":"n","staging_error":"",)"
      R"("final_snapshot":3,"supervisor_alive":true,"run_started_at":17.5,"progress":0.25,)"
      R"("unknown":"x","also":2.5,"phase":"done"})"
      "\nlog\n");
  ASSERT_TRUE(flat.ok()) << flat.status().message();
  // The same fields, read as a tree because of the nested gpus list.
  Result<PollResult> tree = ParsePollOutput(
      R"({"phase":"run","exit_code":0,"message":"m","notice":"n","staging_error":"",)"
      R"("final_snapshot":3,"supervisor_alive":true,"run_started_at":17.5,"progress":0.25,)"
      R"("unknown":"x","also":2.5,"phase":"done","gpus":[]})"
      "\nlog\n");
  ASSERT_TRUE(tree.ok()) << tree.status().message();
  for (const AgentStatus* st : {&flat->status, &tree->status}) {
    EXPECT_EQ(st->phase, "done");  // The last of a repeated key.
    EXPECT_EQ(st->exit_code, 0);
    EXPECT_EQ(st->message, "m");
    EXPECT_EQ(st->notice, "n");
    EXPECT_EQ(st->final_snapshot, 3);
    EXPECT_TRUE(st->supervisor_alive);
    EXPECT_DOUBLE_EQ(st->run_started_at, 17.5);
    EXPECT_DOUBLE_EQ(st->progress.value_or(-1), 0.25);
  }
  EXPECT_EQ(flat->log, "log\n");
  EXPECT_FALSE(flat->status.gpus.has_value());
  EXPECT_TRUE(tree->status.gpus.has_value());
  for (const char* line : {"\"run\"", "3", "true", "null", "[]", "{\"phase\":\"run\"", "{}x",
                           "{\"unknown\":1e641391}"}) {
    Result<PollResult> r = ParsePollOutput(std::string(line) + "\n");
    EXPECT_FALSE(r.ok()) << line;
  }
  // A repeated key's last value wins, null included.
  Result<PollResult> renulled = ParsePollOutput("{\"phase\":\"run\",\"phase\":null}\n");
  ASSERT_TRUE(renulled.ok());
  EXPECT_EQ(renulled->status.phase, "starting");
  Result<PollResult> empty = ParsePollOutput("{}\n");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->status.phase, "starting");
}

TEST(AgentProtocolTest, ConfigNamesTheProgressFile) {
  JobSpec spec;
  spec.run = "python3 train.py";
  const std::string config =
      AgentConfigJson(spec, RemoteLayout::ForJob("j1"), "j1", AttemptConfig{});
  EXPECT_NE(config.find("\"progress_file\": \"spotrun/j1/progress\""), std::string::npos) << config;
}

TEST(AgentProtocolTest, PollOutputCarriesTheInstanceGpus) {
  auto none = ParsePollOutput("{\"phase\":\"inputs\"}\n");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->status.gpus.has_value());
  auto r =
      ParsePollOutput(R"({"phase":"run","gpus":[{"index":1,"uuid":"GPU-b","name":"NVIDIA H200",)"
                      R"("memory_mib":143771,"driver":"580.159.04"}],"gpus_missing_reason":""})"
                      "\n");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->status.gpus.has_value());
  ASSERT_EQ(r->status.gpus->size(), 1u);
  EXPECT_EQ((*r->status.gpus)[0].index, 1);
  EXPECT_EQ((*r->status.gpus)[0].name, "NVIDIA H200");
  auto empty = ParsePollOutput(
      R"({"phase":"done","gpus":[],"gpus_missing_reason":"no nvidia-smi on this instance"})"
      "\n");
  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE(empty->status.gpus.has_value());
  EXPECT_TRUE(empty->status.gpus->empty());
  EXPECT_EQ(empty->status.gpus_missing_reason, "no nvidia-smi on this instance");
}

TEST(AgentProtocolTest, GpuReportRoundTripsAndReadsAsOneLine) {
  GpuReport r{
      2, {{0, "NVIDIA H200", 143771, "580.159.04"}, {1, "NVIDIA H200", 143771, "580.159.04"}}, ""};
  auto back = GpuReportFromJson(GpuReportToJson(r));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->attempt, 2);
  ASSERT_EQ(back->gpus.size(), 2u);
  EXPECT_EQ(back->gpus[1].index, 1);
  EXPECT_EQ(DescribeGpus(*back), "2 x NVIDIA H200 (143771 MiB), driver 580.159.04");
  EXPECT_EQ(DescribeGpus(GpuReport{1, {}, "no nvidia-smi on this instance"}),
            "none (no nvidia-smi on this instance)");
  EXPECT_FALSE(GpuReportFromJson("[1, 2]").has_value());
}

TEST(AgentProtocolTest, ConfigCarriesTheAcceleratorsAsked) {
  JobSpec spec;
  spec.run = "python3 train.py";
  spec.resources.accelerator = "H200";
  spec.resources.accelerator_count = 2;
  const std::string config =
      AgentConfigJson(spec, RemoteLayout::ForJob("j1"), "j1", AttemptConfig{});
  EXPECT_NE(config.find("\"accelerator\": \"H200\""), std::string::npos) << config;
  EXPECT_NE(config.find("\"accelerator_count\": 2"), std::string::npos) << config;
}

}  // namespace
}  // namespace spotrun
