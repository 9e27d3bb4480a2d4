// SigV4 and credential errors end to end: moto_server with authentication on
// (INITIAL_NO_AUTH_ACTION_COUNT=3: the first three calls create an IAM user
// with a policy and an access key; every later call must be signed with a
// real key). Config comes from LoadAwsConfig over an injected environment,
// the endpoint from AWS_ENDPOINT_URL_EC2. Skipped without moto_server.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cloud/aws/aws_config.h"
#include "cloud/aws/ec2_client.h"
#include "cloud/aws/sigv4.h"
#include "cloud/aws/xml.h"
#include "test_process.h"
#include "util/encoding.h"
#include "util/faulty_http_client.h"

namespace spotrun::aws {
namespace {

namespace fs = std::filesystem;

// One signed IAM Query call (API 2010-05-08); returns the answer's root.
Result<XmlNode> Iam(HttpClient* http, const std::string& url, const Credentials& credentials,
                    const std::vector<std::pair<std::string, std::string>>& params) {
  HttpRequest request;
  request.method = "POST";
  request.url = url + "/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = "Version=2010-05-08";
  for (const auto& [key, value] : params) request.body += "&" + key + "=" + PercentEncode(value);
  request.timeout_s = 30;
  RealClock clock;
  SignV4(credentials, {"us-east-1", "iam", clock.Now()}, &request);
  Result<HttpResponse> response = http->Send(request);
  if (!response.ok()) return response.status();
  if (response->status != 200)
    return Internal("IAM: HTTP " + std::to_string(response->status) + " " + response->body);
  return ParseXml(response->body);
}

// Creates user `name` with an inline policy (if any) and returns a new key.
Result<Credentials> NewUserKey(HttpClient* http, const std::string& url, const Credentials& signer,
                               const std::string& name, const std::string& policy_action) {
  Result<XmlNode> user = Iam(http, url, signer, {{"Action", "CreateUser"}, {"UserName", name}});
  if (!user.ok()) return user.status();
  if (!policy_action.empty()) {
    std::string policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":")" +
                         policy_action + R"(","Resource":"*"}]})";
    Result<XmlNode> put = Iam(http, url, signer,
                              {{"Action", "PutUserPolicy"},
                               {"UserName", name},
                               {"PolicyName", "all"},
                               {"PolicyDocument", policy}});
    if (!put.ok()) return put.status();
  }
  Result<XmlNode> key = Iam(http, url, signer, {{"Action", "CreateAccessKey"}, {"UserName", name}});
  if (!key.ok()) return key.status();
  Credentials credentials;
  credentials.access_key_id = key->Descendant("AccessKeyId")->Text("");
  credentials.secret_access_key = key->Descendant("SecretAccessKey")->Text("");
  return credentials;
}

class Ec2MotoAuthTest : public test::MotoSuite<Ec2MotoAuthTest> {
 public:
  // moto checks signatures after its first three requests (the IAM setup).
  static std::map<std::string, std::string> MotoEnv() {
    return {{"INITIAL_NO_AUTH_ACTION_COUNT", "3"}};
  }

 protected:
  static void SetUpTestSuite() {
    MotoSuite::SetUpTestSuite();
    if (moto_ == nullptr) return;
    CurlHttpClient http;
    Credentials anyone{"AKIAANYONE0000000000", "anything", "", 0, "tests"};
    Result<Credentials> admin = NewUserKey(&http, moto_->url(), anyone, "admin", "*");
    Result<Credentials> nobody =
        admin.ok() ? NewUserKey(&http, moto_->url(), *admin, "nobody", "") : admin.status();
    if (!nobody.ok()) {
      why_ = "IAM setup failed: " + nobody.status().ToString();
      delete moto_;
      moto_ = nullptr;
      return;
    }
    admin_ = *admin;
    nobody_ = *nobody;
  }
  void SetUp() override {
    MotoSuite::SetUp();
    if (IsSkipped()) return;
    char pattern[] = "/tmp/spotrun-motoauth-XXXXXX";
    home_ = mkdtemp(pattern);
    fs::create_directories(home_ / ".aws");
    env_ = {{"HOME", home_.string()},
            {"AWS_REGION", "us-east-1"},
            {"AWS_ENDPOINT_URL_EC2", moto_->url()},
            {"AWS_EC2_METADATA_DISABLED", "true"}};
  }
  void TearDown() override {
    if (!home_.empty()) fs::remove_all(home_);
  }

  // Loads the config from env_, makes one DescribeInstances call through a
  // counting wrapper and returns its status.
  Status DescribeWithConfig(int* calls) {
    Result<AwsConfig> config = LoadAwsConfig(env_, {}, &clock_);
    if (!config.ok()) return config.status();
    EXPECT_EQ(config->ec2_endpoint, moto_->url());
    CurlHttpClient curl;
    FaultyHttpClient counting(&curl);
    Ec2ClientOptions options{config->ec2_endpoint, config->region};
    options.timeout_s = 30;
    Ec2Client client(&counting, config->credentials.get(), &clock_, options);
    Status status = client.DescribeInstances({}).status();
    *calls = counting.calls();
    return status;
  }

  static Credentials admin_, nobody_;
  fs::path home_;
  Environment env_;
  RealClock clock_;
};

Credentials Ec2MotoAuthTest::admin_;
Credentials Ec2MotoAuthTest::nobody_;

TEST_F(Ec2MotoAuthTest, OurSignaturesAreAccepted) {
  env_["AWS_ACCESS_KEY_ID"] = admin_.access_key_id;
  env_["AWS_SECRET_ACCESS_KEY"] = admin_.secret_access_key;
  int calls = 0;
  Status status = DescribeWithConfig(&calls);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(calls, 1);
}

TEST_F(Ec2MotoAuthTest, WrongSecretInEnvironmentNamesTheVariables) {
  env_["AWS_ACCESS_KEY_ID"] = admin_.access_key_id;
  env_["AWS_SECRET_ACCESS_KEY"] = "not-the-secret-at-all";
  int calls = 0;
  Status status = DescribeWithConfig(&calls);
  ASSERT_EQ(status.code(), Code::kAuth) << status.ToString();
  EXPECT_EQ(calls, 1);  // Not retried.
  const std::string& m = status.message();
  EXPECT_EQ(m.rfind("ec2 DescribeInstances: AuthFailure: ", 0), 0u) << m;
  EXPECT_NE(m.find("from environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"),
            std::string::npos)
      << m;
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_EQ(m.find("not-the-secret-at-all"), std::string::npos);
}

TEST_F(Ec2MotoAuthTest, WrongSecretInProfileNamesTheProfileAndFile) {
  std::ofstream(home_ / ".aws/credentials") << "[dev]\naws_access_key_id = " << admin_.access_key_id
                                            << "\naws_secret_access_key = wrong-secret-in-file\n";
  env_["AWS_PROFILE"] = "dev";
  int calls = 0;
  Status status = DescribeWithConfig(&calls);
  ASSERT_EQ(status.code(), Code::kAuth) << status.ToString();
  EXPECT_NE(status.message().find("from profile 'dev' (chosen by AWS_PROFILE) in " +
                                  (home_ / ".aws/credentials").string()),
            std::string::npos)
      << status.message();
  EXPECT_EQ(status.message().find("wrong-secret-in-file"), std::string::npos);
}

TEST_F(Ec2MotoAuthTest, KeyWithoutPermissionSaysWhatToGrant) {
  env_["AWS_ACCESS_KEY_ID"] = nobody_.access_key_id;
  env_["AWS_SECRET_ACCESS_KEY"] = nobody_.secret_access_key;
  int calls = 0;
  Status status = DescribeWithConfig(&calls);
  ASSERT_EQ(status.code(), Code::kAuth) << status.ToString();
  EXPECT_EQ(calls, 1);
  EXPECT_NE(status.message().find("grant ec2:DescribeInstances to the IAM identity of access key"),
            std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace spotrun::aws
