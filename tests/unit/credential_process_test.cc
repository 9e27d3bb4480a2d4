#include "cloud/aws/credential_process.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cloud/aws/aws_config.h"
#include "cloud/aws/aws_time.h"

namespace spotrun::aws {
namespace {

namespace fs = std::filesystem;

class CredentialProcessTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/spotrun-credproc-XXXXXX";
    dir_ = mkdtemp(pattern);
    env_ = {{"HOME", dir_.string()}, {"PATH", "/usr/bin:/bin"}, {"AWS_REGION", "us-east-1"}};
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A script that counts its runs in `runs` and prints `json`.
  std::string Script(const std::string& json, int exit_code = 0) {
    fs::path script = dir_ / "creds.sh";
    std::ofstream(script) << "#!/bin/sh\necho run >> '" << (dir_ / "runs").string() << "'\n"
                          << "cat <<'EOF'\n"
                          << json << "\nEOF\necho 'to stderr' >&2\nexit " << exit_code << "\n";
    fs::permissions(script, fs::perms::owner_all);
    return script.string();
  }
  int Runs() {
    std::ifstream in(dir_ / "runs");
    int n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
  }

  fs::path dir_;
  Environment env_;
  ManualClock clock_{1'800'000'000 - 3600};
};

TEST_F(CredentialProcessTest, ProfileRunsTheProcessAndRefreshesBeforeExpiry) {
  std::string script = Script(
      R"({"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "procsecret",
          "SessionToken": "proctoken", "Expiration": "2027-01-15T08:00:00Z"})");
  fs::create_directories(dir_ / ".aws");
  std::ofstream(dir_ / ".aws/config")
      << "[profile proc]\ncredential_process = \"" << script << "\" --flag 'two words'\n";
  env_["AWS_PROFILE"] = "proc";
  Result<AwsConfig> config = LoadAwsConfig(env_, {}, &clock_);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(Runs(), 0);  // Runs lazily.
  Result<Credentials> c = config->credentials->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIAPROC");
  EXPECT_EQ(c->secret_access_key, "procsecret");
  EXPECT_EQ(c->session_token, "proctoken");
  EXPECT_EQ(c->expiration, 1'800'000'000.0);  // 2027-01-15T08:00:00Z
  EXPECT_NE(c->source.find("credential_process of profile 'proc'"), std::string::npos);
  ASSERT_TRUE(config->credentials->Get().ok());
  EXPECT_EQ(Runs(), 1);                                // Cached.
  clock_.Advance(c->expiration - clock_.Now() - 300);  // 5 minutes left: refresh.
  ASSERT_TRUE(config->credentials->Get().ok());
  EXPECT_EQ(Runs(), 2);
}

TEST_F(CredentialProcessTest, FailuresNameTheProfileAndNeverEchoOutput) {
  std::string script = Script(R"({"Version": 1, "AccessKeyId": "AKIA", "SecretAccessKey": "leak"})",
                              /*exit_code=*/3);
  ProcessCredentialProvider failing(script, "credential_process of profile 'p'", env_, &clock_);
  Result<Credentials> c = failing.Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kAuth);
  EXPECT_EQ(c.status().message(),
            "credential_process of profile 'p' exited with status 3: to stderr");

  ProcessCredentialProvider bad_json(Script("{\"SecretAccessKey\": \"leak\""), "cp", env_, &clock_);
  c = bad_json.Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "cp did not print a JSON object");

  ProcessCredentialProvider expired(
      Script(R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "leak",
                 "Expiration": "2020-01-01T00:00:00Z"})"),
      "cp", env_, &clock_);
  c = expired.Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "cp returned credentials that have already expired");

  ProcessCredentialProvider missing("/nonexistent/tool", "cp", env_, &clock_);
  EXPECT_EQ(missing.Get().status().message(), "cp exited with status 127: command not found");

  ProcessCredentialProvider slow("/bin/sleep 5", "cp", env_, &clock_, /*timeout_s=*/0.2);
  EXPECT_EQ(slow.Get().status().message(), "cp did not finish within 0.2 s");
}

TEST(ProcessCredentialsParseTest, RequiresVersionAndKeys) {
  EXPECT_EQ(ParseProcessCredentials(R"({"AccessKeyId": "A", "SecretAccessKey": "S"})", "cp")
                .status()
                .message(),
            "cp printed JSON without \"Version\": 1");
  EXPECT_EQ(
      ParseProcessCredentials(R"({"Version": 1, "AccessKeyId": "A"})", "cp").status().message(),
      "cp printed JSON without AccessKeyId and SecretAccessKey");
  Result<Credentials> ok = ParseProcessCredentials(
      R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S"})", "cp");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->expiration, 0);
  EXPECT_EQ(ok->session_token, "");
}

TEST(SplitCommandLineTest, SplitsLikeAPosixShell) {
  EXPECT_EQ(
      *SplitCommandLine(R"(aws configure export-credentials --profile "my prof" --format process)"),
      (std::vector<std::string>{"aws", "configure", "export-credentials", "--profile", "my prof",
                                "--format", "process"}));
  EXPECT_EQ(*SplitCommandLine(R"(/bin/sh -c 'echo "{\"a\": 1}"' x\ y "q\"d")"),
            (std::vector<std::string>{"/bin/sh", "-c", R"(echo "{\"a\": 1}")", "x y", "q\"d"}));
  EXPECT_FALSE(SplitCommandLine("broken 'quote").has_value());
  EXPECT_TRUE(SplitCommandLine("   ")->empty());
}

TEST(Rfc3339Test, ParsesZuluFractionsAndOffsets) {
  EXPECT_EQ(*ParseRfc3339("2027-01-15T08:00:00Z"), 1'800'000'000.0);
  EXPECT_EQ(*ParseRfc3339("2027-01-15T08:00:00.5Z"), 1'800'000'000.5);
  EXPECT_EQ(*ParseRfc3339("2027-01-15T10:00:00+02:00"), 1'800'000'000.0);
  EXPECT_EQ(*ParseRfc3339("2027-01-15T07:30:00-00:30"), 1'800'000'000.0);
  EXPECT_FALSE(ParseRfc3339("yesterday").has_value());
  EXPECT_FALSE(ParseRfc3339("2027-01-15T08:00:00").has_value());
  EXPECT_EQ(FormatRfc3339(1'800'000'000.7), "2027-01-15T08:00:00Z");
}

}  // namespace
}  // namespace spotrun::aws
