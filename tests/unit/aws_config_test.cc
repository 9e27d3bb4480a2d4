#include "cloud/aws/aws_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cloud/aws/ini.h"

namespace spotrun::aws {
namespace {

namespace fs = std::filesystem;

class AwsConfigTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/spotrun-awscfg-XXXXXX";
    home_ = mkdtemp(pattern);
    fs::create_directories(home_ / ".aws");
    env_ = {{"HOME", home_.string()}, {"PATH", "/usr/bin:/bin"}};
  }
  void TearDown() override { fs::remove_all(home_); }

  void Write(const std::string& relative, const std::string& text) {
    std::ofstream(home_ / relative) << text;
  }
  Result<AwsConfig> Load(const AwsOverrides& overrides = {}) {
    return LoadAwsConfig(env_, overrides, &clock_);
  }
  Credentials Creds(const AwsConfig& config) {
    Result<Credentials> c = config.credentials->Get();
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : Credentials();
  }

  fs::path home_;
  Environment env_;
  ManualClock clock_;
};

TEST_F(AwsConfigTest, EnvironmentKeysAndRegion) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIAENVENVENVENV1234";
  env_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  env_["AWS_SESSION_TOKEN"] = "envtoken";
  env_["AWS_REGION"] = "eu-west-1";
  Result<AwsConfig> config = Load();
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  Credentials c = Creds(*config);
  EXPECT_EQ(c.access_key_id, "AKIAENVENVENVENV1234");
  EXPECT_EQ(c.secret_access_key, "envsecret");
  EXPECT_EQ(c.session_token, "envtoken");
  EXPECT_EQ(config->profile, "default");
  EXPECT_EQ(config->region, "eu-west-1");
  EXPECT_EQ(config->ec2_endpoint, "https://ec2.eu-west-1.amazonaws.com");
  EXPECT_EQ(config->s3_endpoint, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(c.ToString(),
            "access key AKIA...1234 (with session token) from environment variables "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN");
}

TEST_F(AwsConfigTest, HalfTheEnvironmentKeysNamesTheMissingVariable) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIAX";
  env_["AWS_REGION"] = "us-east-1";
  Result<AwsConfig> config = Load();
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Code::kAuth);
  EXPECT_EQ(config.status().message(),
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both");
}

TEST_F(AwsConfigTest, ProfileFromSharedFiles) {
  Write(".aws/credentials",
        "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = defsecret\n"
        "# comment\n[dev]\nAWS_ACCESS_KEY_ID: AKIADEVDEVDEV\naws_secret_access_key = devsecret\n"
        "aws_session_token = devtoken\n");
  Write(".aws/config",
        "[default]\nregion = us-west-2\n; comment\n[profile dev]\nregion = ap-south-1\n"
        "[dev]\nregion = not-this-one\n");
  Result<AwsConfig> def = Load();
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(Creds(*def).access_key_id, "AKIADEFAULT");
  EXPECT_EQ(def->region, "us-west-2");

  env_["AWS_PROFILE"] = "dev";
  Result<AwsConfig> dev = Load();
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  Credentials c = Creds(*dev);
  EXPECT_EQ(dev->profile, "dev");
  EXPECT_EQ(dev->region, "ap-south-1");
  EXPECT_EQ(c.access_key_id, "AKIADEVDEVDEV");
  EXPECT_EQ(c.secret_access_key, "devsecret");
  EXPECT_EQ(c.session_token, "devtoken");
  EXPECT_EQ(c.source,
            "profile 'dev' (chosen by AWS_PROFILE) in " + (home_ / ".aws/credentials").string());
}

TEST_F(AwsConfigTest, EnvironmentKeysBeatAwsProfileButNotAnExplicitProfile) {
  Write(".aws/credentials",
        "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = devsecret\n");
  Write(".aws/config", "[profile dev]\nregion = ap-south-1\n");
  env_["AWS_PROFILE"] = "dev";
  env_["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  env_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  Result<AwsConfig> config = Load();
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(Creds(*config).access_key_id, "AKIAENV");
  EXPECT_EQ(config->region, "ap-south-1");

  env_.erase("AWS_PROFILE");
  AwsOverrides overrides;
  overrides.profile = "dev";
  config = Load(overrides);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(Creds(*config).access_key_id, "AKIADEV");
}

TEST_F(AwsConfigTest, UnknownProfileNamesTheVariable) {
  env_["AWS_PROFILE"] = "nope";
  Result<AwsConfig> config = Load();
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Code::kInvalidArgument);
  EXPECT_NE(config.status().message().find("profile 'nope' (chosen by AWS_PROFILE) is in neither"),
            std::string::npos)
      << config.status().message();
  EXPECT_NE(config.status().message().find("fix AWS_PROFILE"), std::string::npos);
}

TEST_F(AwsConfigTest, FileLocationsFromVariables) {
  fs::create_directories(home_ / "elsewhere");
  Write("elsewhere/creds", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n");
  Write("elsewhere/conf", "[default]\nregion = sa-east-1\n");
  env_["AWS_SHARED_CREDENTIALS_FILE"] = "~/elsewhere/creds";
  env_["AWS_CONFIG_FILE"] = (home_ / "elsewhere/conf").string();
  Result<AwsConfig> config = Load();
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(Creds(*config).access_key_id, "AKIAFILE");
  EXPECT_EQ(config->region, "sa-east-1");
}

TEST_F(AwsConfigTest, RegionPrecedence) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIA";
  env_["AWS_SECRET_ACCESS_KEY"] = "s";
  Write(".aws/config", "[default]\nregion = eu-north-1\n");
  AwsOverrides overrides;
  overrides.default_region = "us-east-2";
  EXPECT_EQ(Load(overrides)->region, "eu-north-1");
  env_["AWS_DEFAULT_REGION"] = "eu-central-1";
  EXPECT_EQ(Load(overrides)->region, "eu-central-1");
  env_["AWS_REGION"] = "eu-west-3";
  EXPECT_EQ(Load(overrides)->region, "eu-west-3");
  overrides.region = "ca-central-1";
  EXPECT_EQ(Load(overrides)->region, "ca-central-1");
  fs::remove(home_ / ".aws/config");
  env_.erase("AWS_REGION");
  env_.erase("AWS_DEFAULT_REGION");
  overrides.region.clear();
  EXPECT_EQ(Load(overrides)->region, "us-east-2");
}

TEST_F(AwsConfigTest, MissingOrMalformedRegionIsNamed) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIA";
  env_["AWS_SECRET_ACCESS_KEY"] = "s";
  Result<AwsConfig> config = Load();
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Code::kInvalidArgument);
  EXPECT_NE(config.status().message().find("no AWS region: set AWS_REGION"), std::string::npos);
  env_["AWS_DEFAULT_REGION"] = "us east/1";
  config = Load();
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "AWS_DEFAULT_REGION is 'us east/1', which is not a region name");
}

TEST_F(AwsConfigTest, EndpointPrecedence) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIA";
  env_["AWS_SECRET_ACCESS_KEY"] = "s";
  env_["AWS_REGION"] = "cn-north-1";
  EXPECT_EQ(Load()->ec2_endpoint, "https://ec2.cn-north-1.amazonaws.com.cn");
  Write(".aws/config",
        "[default]\nendpoint_url = http://127.0.0.1:1/\nservices = local\n"
        "[services local]\nec2 =\n  endpoint_url = http://127.0.0.1:2\n");
  EXPECT_EQ(Load()->ec2_endpoint, "http://127.0.0.1:2");
  EXPECT_EQ(Load()->s3_endpoint, "http://127.0.0.1:1");
  env_["AWS_ENDPOINT_URL"] = "http://127.0.0.1:3";
  EXPECT_EQ(Load()->ec2_endpoint, "http://127.0.0.1:3");
  env_["AWS_ENDPOINT_URL_EC2"] = "http://127.0.0.1:4";
  env_["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:5";
  EXPECT_EQ(Load()->ec2_endpoint, "http://127.0.0.1:4");
  EXPECT_EQ(Load()->s3_endpoint, "http://127.0.0.1:5");
  AwsOverrides overrides;
  overrides.ec2_endpoint_url = "http://127.0.0.1:6";
  EXPECT_EQ(Load(overrides)->ec2_endpoint, "http://127.0.0.1:6");
  env_["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
  EXPECT_EQ(Load()->ec2_endpoint, "https://ec2.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(Load(overrides)->ec2_endpoint, "http://127.0.0.1:6");
  env_.erase("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  env_["AWS_ENDPOINT_URL_EC2"] = "127.0.0.1:4";
  Result<AwsConfig> bad = Load();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "AWS_ENDPOINT_URL_EC2 must start with http:// or https://");
}

TEST_F(AwsConfigTest, NoCredentialsSaysWhatToSet) {
  env_["AWS_REGION"] = "us-east-1";
  Result<AwsConfig> config = Load();
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Code::kAuth);
  EXPECT_EQ(
      config.status().message(),
      "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add "
      "aws_access_key_id/aws_secret_access_key or credential_process to profile 'default' in " +
          (home_ / ".aws/credentials").string() + " (AWS_PROFILE chooses another profile)");
}

TEST_F(AwsConfigTest, PartialProfileKeysAndUnsupportedSourcesAreNamed) {
  env_["AWS_REGION"] = "us-east-1";
  Write(".aws/credentials", "[default]\naws_access_key_id = AKIAONLY\n");
  Result<AwsConfig> config = Load();
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("profile 'default' in " +
                                           (home_ / ".aws/credentials").string() + " has only one"),
            std::string::npos);
  fs::remove(home_ / ".aws/credentials");
  Write(".aws/config", "[profile sso]\nsso_session = corp\n");
  env_["AWS_PROFILE"] = "sso";
  config = Load();
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Code::kAuth);
  EXPECT_NE(config.status().message().find("uses sso_session"), std::string::npos);
  EXPECT_NE(config.status().message().find("export-credentials --profile sso"), std::string::npos);
}

TEST_F(AwsConfigTest, KeysInConfigFileAreTheLastResort) {
  Write(".aws/config",
        "[profile ci]\nregion = us-east-1\naws_access_key_id = AKIACFG\n"
        "aws_secret_access_key = cfgsecret\n");
  env_["AWS_PROFILE"] = "ci";
  Result<AwsConfig> config = Load();
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(Creds(*config).access_key_id, "AKIACFG");
}

TEST_F(AwsConfigTest, MaxAttempts) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIA";
  env_["AWS_SECRET_ACCESS_KEY"] = "s";
  env_["AWS_REGION"] = "us-east-1";
  EXPECT_EQ(Load()->max_attempts, 0);
  env_["AWS_MAX_ATTEMPTS"] = "7";
  EXPECT_EQ(Load()->max_attempts, 7);
  env_["AWS_MAX_ATTEMPTS"] = "lots";
  EXPECT_EQ(Load().status().message(), "AWS_MAX_ATTEMPTS is 'lots', not a positive integer");
}

TEST(IniTest, ParsesSectionsNestedBlocksAndReportsLines) {
  Result<IniFile> ini = ParseIni(
      "# top\n[profile a]\nregion=us-east-1\ns3 =\n  max_concurrent_requests = 20\n"
      "  endpoint_url = http://x:1\n[ services  b ]\nec2 =\n    endpoint_url = http://y\n",
      "cfg");
  ASSERT_TRUE(ini.ok()) << ini.status().ToString();
  const auto* a = ini->Find("profile a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->at("region"), "us-east-1");
  EXPECT_EQ(a->at("s3.max_concurrent_requests"), "20");
  EXPECT_EQ(a->at("s3.endpoint_url"), "http://x:1");
  EXPECT_EQ(ini->Find("services  b")->at("ec2.endpoint_url"), "http://y");

  Result<IniFile> bad = ParseIni("[a]\nregion\n", "/x/config");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "/x/config line 2: expected 'key = value'");
  bad = ParseIni("aws_secret_access_key = hunter2\n", "/x/credentials");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("hunter2"), std::string::npos);
}

TEST(CredentialsTest, ToStringAndRedactHideSecrets) {
  Credentials c;
  c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  c.session_token = "FQoGZXIvYXdzEXAMPLETOKEN";
  c.source = "tests";
  EXPECT_EQ(c.ToString(), "access key AKIA...MPLE (with session token) from tests");
  EXPECT_EQ(c.Redact("sig for wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY and "
                     "FQoGZXIvYXdzEXAMPLETOKEN!"),
            "sig for <redacted> and <redacted>!");
}

}  // namespace
}  // namespace spotrun::aws
