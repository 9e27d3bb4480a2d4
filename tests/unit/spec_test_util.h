// Test helpers for the job spec: a scratch directory that holds a job file's
// directory, plus shortcuts to parse text as if it were a file in it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "spec/job_spec.h"

namespace spotrun {

class SpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "spotrun-spec-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ / "proj";
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // The job file's path: <tmp>/proj/job.yaml.
  std::string JobPath() const { return (dir_ / "job.yaml").string(); }
  std::string Abs(const std::string& rel) const { return (dir_ / rel).lexically_normal().string(); }

  void Touch(const std::string& rel) {
    std::filesystem::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << "x";
  }
  void MakeDir(const std::string& rel) { std::filesystem::create_directories(dir_ / rel); }

  Result<JobSpec> Parse(const std::string& text) const { return ParseJobSpec(text, JobPath()); }

  // The error message for `text`; fails the test unless parsing fails with a
  // one-line InvalidArgument.
  std::string Error(const std::string& text) const {
    Result<JobSpec> spec = Parse(text);
    EXPECT_FALSE(spec.ok()) << "parsed without error:\n" << text;
    if (spec.ok()) return "";
    EXPECT_EQ(spec.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(spec.status().message().find('\n'), std::string::npos);
    return spec.status().message();
  }

  // "<job path>:" + `rest`, the expected start of an error message.
  std::string At(const std::string& rest) const { return JobPath() + ":" + rest; }

  std::filesystem::path root_;
  std::filesystem::path dir_;
};

}  // namespace spotrun
