#include "cli/cmd_simulate.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace spotrun {
namespace {

using testing::internal::CaptureStderr;
using testing::internal::CaptureStdout;
using testing::internal::GetCapturedStderr;
using testing::internal::GetCapturedStdout;

// A 30-tick trace of 60 s where spot is always available (value 0 = the
// launch probe did not fail).
std::string WriteTrace() {
  const std::string path = testing::TempDir() + "/cmd_simulate_trace.json";
  std::ofstream out(path);
  out << R"({"metadata": {"gap_seconds": 60}, "data": [)";
  for (int i = 0; i < 30; ++i) out << (i ? ", 0" : "0");
  out << "]}";
  return path;
}

std::vector<std::string> Job(const std::string& trace) {
  return {"--trace", trace, "--job-hours", "0.1", "--deadline-hours=0.2", "--overhead-hours", "0"};
}

int RunQuiet(const std::vector<std::string>& args, std::string* err) {
  CaptureStdout();
  CaptureStderr();
  const int rc = RunSimulateCommand(args);
  GetCapturedStdout();
  *err = GetCapturedStderr();
  return rc;
}

TEST(SimulateCommandTest, HelpPrintsUsage) {
  CaptureStdout();
  EXPECT_EQ(RunSimulateCommand({"--help"}), 0);
  EXPECT_NE(GetCapturedStdout().find("usage: spotrun simulate"), std::string::npos);
}

TEST(SimulateCommandTest, JsonLinePerPolicy) {
  std::vector<std::string> args = Job(WriteTrace());
  for (const char* a : {"--policy", "spot-only,on-demand", "--starts", "2", "--json"}) {
    args.emplace_back(a);
  }
  CaptureStdout();
  ASSERT_EQ(RunSimulateCommand(args), 0);
  std::istringstream lines(GetCapturedStdout());
  std::string line;
  std::vector<nlohmann::json> rows;
  while (std::getline(lines, line)) {
    EXPECT_EQ(line.rfind(R"({"policy":)", 0), 0u) << line;
    rows.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["policy"], "spot-only");
  EXPECT_NEAR(rows[0]["mean_cost"].get<double>(), 360 * 0.9731 / 3600, 1e-9);
  EXPECT_NEAR(rows[0]["score"].get<double>(), 100, 1e-9);
  EXPECT_EQ(rows[0]["runs"], 2);
  EXPECT_EQ(rows[0]["misses"], 0);
  EXPECT_NEAR(rows[0]["spot_hours"].get<double>(), 0.1, 1e-9);
  EXPECT_EQ(rows[1]["policy"], "on-demand");
  EXPECT_NEAR(rows[1]["p90_cost"].get<double>(), 360 * 3.06 / 3600, 1e-9);
}

TEST(SimulateCommandTest, TablePerPolicyWithStartOffsets) {
  std::vector<std::string> args = Job(WriteTrace());
  for (const char* a : {"--policy", "all", "--start-offsets-hours", "0,0.1", "--spot-price", "1"}) {
    args.emplace_back(a);
  }
  CaptureStdout();
  ASSERT_EQ(RunSimulateCommand(args), 0);
  const std::string out = GetCapturedStdout();
  for (const char* name : {"policy", "on-demand", "greedy", "spotrun", "optimal", "score"}) {
    EXPECT_NE(out.find(name), std::string::npos) << name;
  }
}

TEST(SimulateCommandTest, BadInputIsOneLineAndExitTwo) {
  const std::string trace = WriteTrace();
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"--bogus"},
      {"stray"},
      {"--trace"},
      {"--trace", "/nonexistent.json", "--job-hours", "1", "--deadline-hours", "2",
       "--overhead-hours", "0"},
      {"--trace", trace, "--job-hours", "x", "--deadline-hours", "2", "--overhead-hours", "0"},
      {"--trace", trace, "--job-hours", "-1", "--deadline-hours", "2", "--overhead-hours", "0"},
      {"--trace", trace, "--job-hours", "1", "--overhead-hours", "0"},
      {"--trace", trace, "--job-hours", "0.1", "--deadline-hours", "0.2", "--overhead-hours", "0",
       "--starts", "0"},
      {"--trace", trace, "--job-hours", "0.1", "--deadline-hours", "0.2", "--overhead-hours", "0",
       "--starts", "2", "--start-offsets-hours", "0"},
      {"--trace", trace, "--job-hours", "0.1", "--deadline-hours", "0.2", "--overhead-hours", "0",
       "--policy", "fastest"},
      {"--trace", trace, "--job-hours", "0.1", "--deadline-hours", "0.2", "--overhead-hours", "0",
       "--encoding", "count:0"},
      {"--trace", trace, "--job-hours", "0.1", "--deadline-hours", "0.2", "--overhead-hours", "0",
       "--start-offsets-hours", "9"},
      {"--trace", trace, "--job-hours", "1", "--deadline-hours", "2", "--overhead-hours", "0"},
  };
  for (const auto& args : cases) {
    std::string err;
    EXPECT_EQ(RunQuiet(args, &err), 2) << testing::PrintToString(args);
    EXPECT_EQ(err.find("spotrun simulate: "), 0u) << err;
    EXPECT_EQ(err.find('\n'), err.size() - 1) << err;
  }
}

}  // namespace
}  // namespace spotrun
