// Notebook sessions (`spotrun notebook`): how the job file is read for one,
// what the agent is told, how the store keeps the kind, and the `spotrun
// ssh` sessions that keep a notebook from being idle.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "jobs/agent_protocol.h"
#include "jobs/ssh_sessions.h"
#include "spec_test_util.h"
#include "store/store.h"

namespace spotrun {
namespace {

class NotebookSpecTest : public SpecTest {
 protected:
  Result<JobSpec> ParseNotebook(const std::string& text) const {
    ParseOptions o;
    o.notebook = true;
    return ParseJobSpec(text, JobPath(), o);
  }
};

TEST_F(NotebookSpecTest, RunMayBeAbsentAndIdleMinutesIsRead) {
  auto spec = ParseNotebook("name: nb\nidle_minutes: 12.5\nsetup: pip install pandas\n");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_TRUE(spec->notebook.enabled);
  EXPECT_DOUBLE_EQ(spec->notebook.idle_s, 750);
  EXPECT_EQ(spec->run, "");
  EXPECT_EQ(spec->setup, "pip install pandas");
  // The workdir's changes are the checkpoint, synced every minute at most.
  EXPECT_EQ(spec->checkpoint.dir, ".");
  EXPECT_DOUBLE_EQ(spec->checkpoint.sync_interval_s, 60);
  EXPECT_TRUE(spec->notes.empty());
}

TEST_F(NotebookSpecTest, DefaultIdleIsHalfAnHour) {
  auto spec = ParseNotebook("name: nb\n");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_DOUBLE_EQ(spec->notebook.idle_s, 1800);
}

TEST_F(NotebookSpecTest, RunAndOutputsOfTheSameFileAreNotedNotSilentlyDropped) {
  auto spec = ParseNotebook("run: python3 train.py\noutputs: [model.pkl]\n");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->run, "");
  EXPECT_TRUE(spec->outputs.empty());
  ASSERT_EQ(spec->notes.size(), 2u);
  EXPECT_NE(spec->notes[0].find("run: not run"), std::string::npos) << spec->notes[0];
  EXPECT_NE(spec->notes[1].find("outputs: a notebook brings back"), std::string::npos);
}

TEST_F(NotebookSpecTest, LaunchRefusesIdleMinutesAndStillNeedsRun) {
  EXPECT_EQ(Error("run: x\nidle_minutes: 5\n"),
            At("2:15: idle_minutes: only `spotrun notebook` stops when idle; `spotrun launch` "
               "runs `run` to its end"));
  EXPECT_EQ(Error("name: nb\n"),
            At("1:1: run: missing required key: give the command that trains"));
}

TEST_F(NotebookSpecTest, BadIdleMinutesNameTheLine) {
  auto spec = ParseNotebook("name: nb\nidle_minutes: -3\n");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().message().rfind(JobPath() + ":2:15: idle_minutes: ", 0), 0u)
      << spec.status().message();
  EXPECT_FALSE(ParseNotebook("idle_minutes: soon\n").ok());
}

TEST_F(NotebookSpecTest, TheAgentIsToldItIsANotebookWithTheInputsToLeaveOut) {
  Touch("data.csv");
  auto spec = ParseNotebook("inputs:\n  data/big.csv: https://example.com/big.csv\n");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  const auto layout = RemoteLayout::ForJob("abcd0001");
  auto cfg = nlohmann::json::parse(AgentConfigJson(*spec, layout, "abcd0001", {}));
  EXPECT_EQ(cfg["notebook"]["file"], "spotrun/abcd0001/notebook.json");
  EXPECT_EQ(cfg["notebook"]["inputs"], nlohmann::json::array({"data/big.csv"}));
  EXPECT_EQ(cfg["baseline_file"], "spotrun/abcd0001/workdir-baseline.json");
  EXPECT_EQ(cfg["checkpoint_dir"], "spotrun/abcd0001/workdir/.");
  // A batch job's config has none of it.
  auto job = Parse("run: x\n");
  ASSERT_TRUE(job.ok());
  auto job_cfg = nlohmann::json::parse(AgentConfigJson(*job, layout, "abcd0001", {}));
  EXPECT_FALSE(job_cfg.contains("notebook"));
  EXPECT_FALSE(job_cfg.contains("baseline_file"));
}

TEST(NotebookStatusTest, PollsCarryJupytersIdleTimeAndBusyKernels) {
  auto polled = ParsePollOutput(
      R"({"phase": "run", "supervisor_alive": true, "notebook_idle_s": 42.5, "notebook_busy": true})"
      "\nlog");
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  ASSERT_TRUE(polled->status.notebook_idle_s);
  EXPECT_DOUBLE_EQ(*polled->status.notebook_idle_s, 42.5);
  EXPECT_TRUE(polled->status.notebook_busy);
  EXPECT_EQ(polled->status.phase, "run");
  auto plain = ParsePollOutput("{\"phase\": \"run\"}\n");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->status.notebook_idle_s);
}

TEST(NotebookStoreTest, TheKindIsKept) {
  auto store = std::move(Store::Open(":memory:")).value();
  JobRecord j;
  j.id = "abcd0001";
  j.name = "nb";
  j.cloud = "local";
  j.spec_path = "/x/job.yaml";
  j.spec_text = "name: nb\n";
  j.results_dir = "/r";
  j.kind = JobKind::kNotebook;
  ASSERT_TRUE(store->InsertJob(j).ok());
  JobRecord batch = j;
  batch.id = "abcd0002";
  batch.kind = JobKind::kJob;
  ASSERT_TRUE(store->InsertJob(batch).ok());
  EXPECT_EQ(store->GetJob("abcd0001")->kind, JobKind::kNotebook);
  EXPECT_EQ(store->GetJob("abcd0002")->kind, JobKind::kJob);
  j.state = JobState::kRunning;
  ASSERT_TRUE(store->UpdateJob(j).ok());
  EXPECT_EQ(store->GetJob("abcd0001")->kind, JobKind::kNotebook);
}

TEST(SshSessionsTest, AnOpenSessionIsSeenAndAnEndedOneGoes) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("spotrun-ssh-sessions-" + std::to_string(getpid())))
                              .string();
  EXPECT_FALSE(SshSessionOpen(dir, "abcd0001"));  // No directory yet.
  auto held = HoldSshSession(dir, "abcd0001");
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_TRUE(SshSessionOpen(dir, "abcd0001"));
  EXPECT_TRUE(SshSessionOpen(dir, "abcd0001"));   // Seen again: it stays.
  EXPECT_FALSE(SshSessionOpen(dir, "abcd0002"));  // Another job's.
  close(*held);
  EXPECT_FALSE(SshSessionOpen(dir, "abcd0001"));
  EXPECT_TRUE(std::filesystem::is_empty(dir + "/abcd0001/ssh-sessions"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spotrun
