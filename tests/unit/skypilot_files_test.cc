// Each task file of tests/data/skypilot/ against its row of expectations.txt,
// at the spec level: refused in one line naming the field, or placed (the
// bundled catalog, the cloud's default region us-east-1) with the expected
// first offer. The integration test test_skypilot_files.sh checks the same
// through `spotrun launch --dry-run`, and the converted files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "catalog/catalog.h"
#include "policy/placement.h"
#include "spec/job_file_writer.h"
#include "spec/job_spec.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;

std::string Trim(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

struct Row {
  std::string file, outcome, detail, args;
};

std::vector<Row> Rows(const fs::path& dir) {
  std::ifstream in(dir / "expectations.txt");
  std::vector<Row> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream s(line);
    for (std::string col; std::getline(s, col, '|');) cols.push_back(Trim(col));
    cols.resize(4);
    rows.push_back({cols[0], cols[1], cols[2], cols[3]});
  }
  return rows;
}

// "--env K=V" -> {K: V}.
std::map<std::string, std::string> EnvArgs(const std::string& args) {
  std::map<std::string, std::string> out;
  std::stringstream s(args);
  for (std::string word; s >> word;) {
    if (word == "--env" && s >> word)
      out[word.substr(0, word.find('='))] = word.substr(word.find('=') + 1);
  }
  return out;
}

std::string Plan(const JobSpec& spec) {
  std::vector<Offer> offers;
  for (const std::string& region : RegionsOf(spec.resources, "us-east-1")) {
    for (const Offer& o : Catalog::Bundled().offers()) {
      if (o.region == region) offers.push_back(o);
    }
  }
  std::string why;
  auto c = RankCandidates(spec.resources, "us-east-1", offers, &why);
  if (c.empty()) return spec.cloud + " none: " + why;
  return spec.cloud + " " + c[0].offer.instance_type + " " +
         (c[0].market == Market::kSpot ? "spot" : "on-demand");
}

std::string Outcome(const std::string& file, const std::string& args) {
  ParseOptions options;
  options.env_overrides = EnvArgs(args);
  if (args.find("--format skypilot") != std::string::npos) options.format = SpecFormat::kSkyPilot;
  Result<JobSpec> spec = LoadJobSpec(file, options);
  Status s = spec.ok() ? ApplyEnvOverrides(options.env_overrides, &*spec) : spec.status();
  if (!s.ok()) return "refuse " + s.message();
  // What `spotrun convert` prints plans the same (the offers, in order).
  Result<JobSpec> converted = ParseJobSpec(WriteJobFile(*spec), "converted.yaml");
  if (!converted.ok()) return "convert: " + converted.status().message();
  if (Plan(*converted) != Plan(*spec)) return "convert plans " + Plan(*converted);
  std::vector<Offer> offers;
  for (const std::string& region : RegionsOf(spec->resources, "us-east-1")) {
    for (const Offer& o : Catalog::Bundled().offers()) {
      if (o.region == region) offers.push_back(o);
    }
  }
  std::string why;
  auto c = RankCandidates(spec->resources, "us-east-1", offers, &why);
  if (c.empty()) return spec->cloud + " none: " + why;
  return spec->cloud + " " + c[0].offer.instance_type + " " +
         (c[0].market == Market::kSpot ? "spot" : "on-demand");
}

TEST(SkyPilotFilesTest, EveryFileHasItsExpectedOutcome) {
  const fs::path dir = fs::path(SPOTRUN_SOURCE_DIR) / "tests/data/skypilot";
  const fs::path before = fs::current_path();
  fs::current_path(dir);  // SkyPilot resolves workdir and file_mounts here.
  int checked = 0;
  for (const Row& row : Rows(dir)) {
    ASSERT_TRUE(fs::exists(row.file)) << row.file;
    const std::string got = Outcome(row.file, row.args);
    if (row.outcome == "refuse") {
      EXPECT_NE(got.find(row.file + ":"), std::string::npos) << row.file << ": " << got;
      EXPECT_NE(got.find(row.detail), std::string::npos) << row.file << ": " << got;
      EXPECT_EQ(got.find('\n'), std::string::npos) << got;
    } else {
      EXPECT_EQ(got, row.outcome + " " + row.detail) << row.file << " " << row.args;
    }
    ++checked;
  }
  fs::current_path(before);
  EXPECT_GE(checked, 25);
}

}  // namespace
}  // namespace spotrun
