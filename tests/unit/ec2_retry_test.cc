// Ec2Client under injected faults (FaultyHttpClient over a recording fake):
// what is retried, how long it sleeps, and what surfaces as which code.
#include <gtest/gtest.h>

#include "cloud/aws/aws_faults.h"
#include "cloud/aws/ec2_client.h"
#include "recording_http_client.h"
#include "util/faulty_http_client.h"

namespace spotrun::aws {
namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* kToken = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";

class Ec2RetryTest : public testing::Test {
 protected:
  Ec2RetryTest()
      : faulty_(&http_),
        credentials_({"AKIAIOSFODNN7EXAMPLE", kSecret, kToken, 0,
                      "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/"
                      "AWS_SESSION_TOKEN"}),
        client_(&faulty_, &credentials_, &clock_, Options()) {}

  static Ec2ClientOptions Options(uint64_t seed = 7) {
    Ec2ClientOptions options;
    options.endpoint = "http://127.0.0.1:9";
    options.region = "us-east-1";
    options.max_attempts = 4;
    options.base_backoff_s = 1;
    options.max_backoff_s = 5;
    options.seed = seed;
    return options;
  }
  double Slept() const { return clock_.Now() - kStart; }

  static constexpr double kStart = 1'700'000'000;
  test::RecordingHttpClient http_;
  FaultyHttpClient faulty_;
  StaticCredentialProvider credentials_;
  ManualClock clock_{kStart};
  Ec2Client client_;
};

TEST_F(Ec2RetryTest, ThrottlingIsRetriedThenSucceeds) {
  faulty_.FailNext(1, ThrottlingFault());                   // 503 RequestLimitExceeded
  faulty_.FailNext(1, ThrottlingFault(400, "Throttling"));  // 400 Throttling
  Result<std::vector<AvailabilityZone>> zones = client_.DescribeAvailabilityZones();
  ASSERT_TRUE(zones.ok()) << zones.status().ToString();
  EXPECT_EQ(faulty_.calls(), 3);
  EXPECT_EQ(faulty_.injected(), 2);
  EXPECT_EQ(http_.requests.size(), 1u);
  EXPECT_GT(Slept(), 0);
  EXPECT_LE(Slept(), 1 + 2);  // Full jitter: at most base*2^0 + base*2^1.
}

TEST_F(Ec2RetryTest, ServerErrorsAndDroppedConnectionsAreRetried) {
  faulty_.FailNext(1, ServerErrorFault());
  faulty_.FailNext(1, HttpFault::DropBeforeSend());
  faulty_.FailNext(1, HttpFault::Respond(502, "<html>Bad Gateway</html>", "text/html"));
  ASSERT_TRUE(client_.DescribeAvailabilityZones().ok());
  EXPECT_EQ(faulty_.calls(), 4);
}

TEST_F(Ec2RetryTest, RetriesReuseTheClientTokenAndSignAfresh) {
  faulty_.FailNext(1, HttpFault::DropAfterSend());  // The server saw it; the answer was lost.
  RunInstancesRequest r;
  r.image_id = "ami-1";
  r.instance_type = "g5.xlarge";
  http_.Respond(200, "<RunInstancesResponse/>");  // Answer lost by the drop.
  http_.Respond(200,
                "<RunInstancesResponse><instancesSet><item><instanceId>i-1</instanceId></item>"
                "</instancesSet></RunInstancesResponse>");
  Result<std::vector<Ec2Instance>> run = client_.RunInstances(r);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(http_.requests.size(), 2u);
  EXPECT_FALSE(http_.Param(0, "ClientToken").empty());
  EXPECT_EQ(http_.Param(0, "ClientToken"), http_.Param(1, "ClientToken"));
  EXPECT_GT(Slept(), 0);
}

TEST_F(Ec2RetryTest, GivesUpAfterMaxAttemptsWithTheCode) {
  faulty_.FailNext(10, ThrottlingFault());
  Result<std::vector<AvailabilityZone>> zones = client_.DescribeAvailabilityZones();
  ASSERT_FALSE(zones.ok());
  EXPECT_EQ(zones.status().code(), Code::kUnavailable);
  EXPECT_EQ(zones.status().message(),
            "ec2 DescribeAvailabilityZones: RequestLimitExceeded: Request limit exceeded. "
            "(request 00000000-0000-0000-0000-000000000000) (gave up after 4 attempts)");
  EXPECT_EQ(faulty_.calls(), 4);
  EXPECT_LE(Slept(), 1 + 2 + 4);
}

// A clock that records each sleep.
class SleepLog : public Clock {
 public:
  double Now() const override { return now_; }
  void Pass(double seconds) override {
    sleeps.push_back(seconds);
    now_ += seconds;
  }
  std::vector<double> sleeps;

 private:
  double now_ = 0;
};

std::vector<double> SleepsWithSeed(uint64_t seed) {
  test::RecordingHttpClient http;
  FaultyHttpClient faulty(&http);
  faulty.FailNext(100, ServerErrorFault());
  StaticCredentialProvider credentials({"AKIA", "s", "", 0, "tests"});
  SleepLog clock;
  Ec2ClientOptions options;
  options.endpoint = "http://127.0.0.1:9";
  options.region = "us-east-1";
  options.max_attempts = 8;
  options.base_backoff_s = 1;
  options.max_backoff_s = 5;
  options.seed = seed;
  Ec2Client client(&faulty, &credentials, &clock, options);
  EXPECT_EQ(client.DescribeAvailabilityZones().status().code(), Code::kUnavailable);
  EXPECT_EQ(faulty.calls(), 8);
  return clock.sleeps;
}

TEST(Ec2BackoffTest, FullJitterIsCappedAndDeterministicPerSeed) {
  std::vector<double> sleeps = SleepsWithSeed(1);
  ASSERT_EQ(sleeps.size(), 7u);  // Between 8 attempts.
  const double caps[] = {1, 2, 4, 5, 5, 5, 5};
  for (size_t i = 0; i < sleeps.size(); ++i) {
    EXPECT_GE(sleeps[i], 0);
    EXPECT_LE(sleeps[i], caps[i]);
  }
  EXPECT_EQ(SleepsWithSeed(1), sleeps);
  EXPECT_NE(SleepsWithSeed(2), sleeps);
}

TEST_F(Ec2RetryTest, CapacityErrorsSurfaceAtOnce) {
  for (auto [status, code] :
       std::vector<std::pair<int, std::string>>{{500, "InsufficientInstanceCapacity"},
                                                {400, "SpotMaxPriceTooLow"},
                                                {400, "Unsupported"}}) {
    SCOPED_TRACE(code);
    int before = faulty_.calls();
    faulty_.FailNext(1,
                     AwsErrorFault(status, code, "We currently do not have sufficient capacity."));
    RunInstancesRequest r;
    r.image_id = "ami-1";
    r.instance_type = "p3.2xlarge";
    Result<std::vector<Ec2Instance>> run = client_.RunInstances(r);
    ASSERT_FALSE(run.ok());
    EXPECT_EQ(run.status().code(), Code::kCapacity);
    EXPECT_EQ(run.status().message().rfind("ec2 RunInstances: " + code + ": ", 0), 0u)
        << run.status().message();
    EXPECT_EQ(faulty_.calls(), before + 1);
  }
  EXPECT_EQ(Slept(), 0);
}

TEST_F(Ec2RetryTest, AuthFailureStopsAtOnceWithOneLineNamingTheVariables) {
  faulty_.FailNext(1,
                   AwsErrorFault(401, "AuthFailure",
                                 "AWS was not able to validate the provided access credentials"));
  Result<std::vector<Ec2Instance>> found = client_.DescribeInstances({});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), Code::kAuth);
  EXPECT_EQ(found.status().message(),
            "ec2 DescribeInstances: AuthFailure: AWS was not able to validate the provided access "
            "credentials; check access key AKIA...MPLE (with session token) from environment "
            "variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN (request "
            "00000000-0000-0000-0000-000000000000)");
  EXPECT_EQ(faulty_.calls(), 1);
  EXPECT_EQ(Slept(), 0);
}

TEST_F(Ec2RetryTest, PermissionAndSignatureErrorsSayWhatToFixWithoutSecrets) {
  faulty_.FailNext(1, AwsErrorFault(403, "UnauthorizedOperation",
                                    "You are not authorized to perform this operation."));
  Result<std::vector<Ec2Instance>> run =
      client_.RunInstances({.image_id = "ami-1", .instance_type = "t3.micro"});
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), Code::kAuth);
  EXPECT_NE(run.status().message().find("grant ec2:RunInstances to the IAM identity of access key"),
            std::string::npos);

  // Real AWS echoes the canonical request, and with it the session token.
  faulty_.FailNext(1,
                   AwsErrorFault(403, "SignatureDoesNotMatch",
                                 std::string("x-amz-security-token:") + kToken + "\n" + kSecret));
  Status bad = client_.DeleteKeyPair("k");
  EXPECT_EQ(bad.code(), Code::kAuth);
  EXPECT_EQ(bad.message().find(kToken), std::string::npos) << bad.message();
  EXPECT_EQ(bad.message().find(kSecret), std::string::npos) << bad.message();
  EXPECT_EQ(bad.message().find('\n'), std::string::npos);
  EXPECT_NE(bad.message().find("check the secret key of access key AKIA...MPLE"),
            std::string::npos);
}

TEST_F(Ec2RetryTest, OtherClientErrorsCarryTheCode) {
  faulty_.FailNext(
      1, AwsErrorFault(400, "InvalidParameterValue", "Value (x) for parameter foo is invalid"));
  Result<std::vector<Ec2Instance>> found = client_.DescribeInstances({});
  EXPECT_EQ(found.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(found.status().message(),
            "ec2 DescribeInstances: InvalidParameterValue: Value (x) for parameter foo is invalid "
            "(request 00000000-0000-0000-0000-000000000000)");
  faulty_.FailNext(
      1, AwsErrorFault(400, "InvalidInstanceID.NotFound", "The instance ID 'i-1' does not exist"));
  found = client_.DescribeInstances({{"i-1"}, {}});
  EXPECT_EQ(found.status().code(), Code::kNotFound);
  EXPECT_EQ(faulty_.calls(), 2);
}

TEST_F(Ec2RetryTest, CredentialFailuresAreReturnedWithoutCalling) {
  struct Broken : CredentialProvider {
    Result<Credentials> Get() override {
      return AuthError("credential_process of profile 'p' exited with status 1");
    }
  } broken;
  Ec2Client client(&faulty_, &broken, &clock_, Options());
  EXPECT_EQ(client.DescribeAvailabilityZones().status().message(),
            "credential_process of profile 'p' exited with status 1");
  EXPECT_EQ(faulty_.calls(), 0);
}

TEST(FaultyHttpClientTest, QueuesFaultsInOrderThenPassesThrough) {
  test::RecordingHttpClient http;
  FaultyHttpClient faulty(&http);
  faulty.FailNext(2, ServerErrorFault(503, "Unavailable"));
  faulty.FailNext(1, HttpFault::DropBeforeSend());
  EXPECT_EQ(faulty.pending(), 3);
  HttpRequest request{"POST", "http://127.0.0.1:9/?X-Amz-Signature=abc", {}, "Action=X", 1};
  Result<HttpResponse> r = faulty.Send(request);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("<Code>Unavailable</Code>"), std::string::npos);
  EXPECT_EQ(r->Header("content-type"), "text/xml;charset=UTF-8");
  EXPECT_TRUE(faulty.Send(request).ok());
  r = faulty.Send(request);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(r.status().message(), "POST http://127.0.0.1:9/: connection dropped (injected)");
  EXPECT_TRUE(http.requests.empty());
  r = faulty.Send(request);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(http.requests.size(), 1u);
  faulty.FailNext(5, HttpFault::DropBeforeSend());
  faulty.Clear();
  EXPECT_EQ(faulty.pending(), 0);
  EXPECT_EQ(faulty.calls(), 4);
  EXPECT_EQ(faulty.injected(), 3);
}

TEST(AwsErrorsTest, ParsesEveryShapeAndEscapes) {
  AwsError e = ParseAwsError(401,
                             "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
                             "<Error><Type>Sender</Type><Code>AuthFailure</Code><Message>a &amp; b"
                             "</Message></Error><RequestId>r-9</RequestId></ErrorResponse>");
  EXPECT_EQ(e.code, "AuthFailure");
  EXPECT_EQ(e.message, "a & b");
  EXPECT_EQ(e.request_id, "r-9");
  e = ParseAwsError(504, "<html>gateway timeout</html>");
  EXPECT_EQ(e.code, "HTTP 504");
  EXPECT_EQ(ClassifyError(e), ErrorKind::kRetry);
  e = ParseAwsError(500, AwsErrorXml("InsufficientInstanceCapacity", "<none>"));
  EXPECT_EQ(e.message, "<none>");
  EXPECT_EQ(ClassifyError(e), ErrorKind::kCapacity);
  EXPECT_EQ(ClassifyError(ParseAwsError(400, "")), ErrorKind::kInvalid);
}

}  // namespace
}  // namespace spotrun::aws
