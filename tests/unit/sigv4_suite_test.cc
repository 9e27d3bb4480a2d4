// Runs every header-signing case of the official AWS SigV4 test suite
// (tests/data/aws-sigv4-test-suite, from awslabs/aws-c-auth) and the EC2
// golden vector of the project's notes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cloud/aws/sigv4.h"

namespace spotrun::aws {
namespace {

namespace fs = std::filesystem;

const fs::path kSuite = fs::path(SPOTRUN_SOURCE_DIR) / "tests/data/aws-sigv4-test-suite";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses request.txt: "METHOD PATH HTTP/1.1", header lines (a line starting
// with whitespace continues the previous header), a blank line, the body.
HttpRequest ParseRequest(const std::string& text) {
  HttpRequest request;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  size_t first = line.find(' ');
  size_t last = line.rfind(' ');
  request.method = line.substr(0, first);
  std::string target = line.substr(first + 1, last - first - 1);
  std::string host;
  while (std::getline(in, line) && !line.empty()) {
    if (line[0] == ' ' || line[0] == '\t') {
      request.headers.back().second += "\n" + line;
      continue;
    }
    size_t colon = line.find(':');
    request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    if (line.substr(0, colon) == "Host") host = line.substr(colon + 1);
  }
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  request.body = body;
  request.url = "https://" + host + target;
  return request;
}

double ParseTimestamp(const std::string& iso) {
  std::tm tm{};
  strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return double(timegm(&tm));
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kSuite)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(SigV4SuiteTest, SuiteIsPresent) { EXPECT_EQ(CaseNames().size(), 38u); }

class SigV4SuiteCase : public testing::TestWithParam<std::string> {};

TEST_P(SigV4SuiteCase, MatchesCanonicalRequestStringToSignAndSignature) {
  fs::path dir = kSuite / GetParam();
  auto context = nlohmann::json::parse(ReadFile(dir / "context.json"));
  Credentials credentials;
  credentials.access_key_id = context["credentials"]["access_key_id"];
  credentials.secret_access_key = context["credentials"]["secret_access_key"];
  credentials.session_token = context["credentials"].value("token", "");
  SigV4Options options;
  options.region = context["region"];
  options.service = context["service"];
  options.time = ParseTimestamp(context["timestamp"]);
  options.normalize_path = context.value("normalize", true);
  options.sign_body = context.value("sign_body", false);
  options.sign_session_token = !context.value("omit_session_token", false);

  HttpRequest request = ParseRequest(ReadFile(dir / "request.txt"));
  SigV4Signature sig = SignV4(credentials, options, &request);
  EXPECT_EQ(sig.canonical_request, ReadFile(dir / "header-canonical-request.txt"));
  EXPECT_EQ(sig.string_to_sign, ReadFile(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(sig.signature, ReadFile(dir / "header-signature.txt"));
  std::string signed_request = ReadFile(dir / "header-signed-request.txt");
  EXPECT_NE(signed_request.find("Authorization:" + sig.authorization + "\n"), std::string::npos)
      << signed_request;
  if (!credentials.session_token.empty()) {
    EXPECT_EQ(request.headers.back().first, "Authorization");
    bool token_sent = false;
    for (const auto& [name, value] : request.headers) {
      token_sent |= name == "X-Amz-Security-Token" && value == credentials.session_token;
    }
    EXPECT_TRUE(token_sent);
  }
}

INSTANTIATE_TEST_SUITE_P(AllCases, SigV4SuiteCase, testing::ValuesIn(CaseNames()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// The EC2-shaped vector from the notes, agreed on by botocore 1.29, botocore
// 1.43 and curl --aws-sigv4.
TEST(SigV4Test, Ec2GoldenVector) {
  Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
  SigV4Options options{"us-east-1", "ec2", ParseTimestamp("2015-08-30T12:36:00Z")};
  HttpRequest request;
  request.method = "POST";
  request.url = "https://ec2.us-east-1.amazonaws.com/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = "Action=DescribeInstances&Version=2016-11-15";
  SigV4Signature sig = SignV4(credentials, options, &request);
  EXPECT_EQ(sig.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=16bec6625521eb1b2a944bb8409fdd5a54007d61862cf7074d07d2e75a3a4950");
  EXPECT_EQ(request.headers[1],
            (std::pair<std::string, std::string>{"Host", "ec2.us-east-1.amazonaws.com"}));
}

TEST(SigV4Test, NonDefaultPortStaysInHost) {
  Credentials credentials{"AKID", "secret"};
  HttpRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:5000/";
  SigV4Signature sig = SignV4(credentials, {"us-east-1", "ec2", 0}, &request);
  EXPECT_NE(sig.canonical_request.find("\nhost:127.0.0.1:5000\n"), std::string::npos);
  request.url = "https://example.com:443/";
  request.headers.clear();
  sig = SignV4(credentials, {"us-east-1", "ec2", 0}, &request);
  EXPECT_NE(sig.canonical_request.find("\nhost:example.com\n"), std::string::npos);
}

}  // namespace
}  // namespace spotrun::aws
