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

TEST(AgentProtocolTest, ConfigNamesTheProgressFile) {
  JobSpec spec;
  spec.run = "python3 train.py";
  const std::string config =
      AgentConfigJson(spec, RemoteLayout::ForJob("j1"), "j1", AttemptConfig{});
  EXPECT_NE(config.find("\"progress_file\": \"spotrun/j1/progress\""), std::string::npos) << config;
}

}  // namespace
}  // namespace spotrun
