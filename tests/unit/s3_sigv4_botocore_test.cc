// The requests S3Client sends, signed by us and by botocore's S3SigV4Auth
// (tests/tools/s3_sigv4_batch.py): keys with spaces, '+', '%', UTF-8 and
// '~', queries, multipart calls and session tokens must all sign the same.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cloud/aws/s3_client.h"
#include "cloud/aws/sigv4.h"
#include "s3_test_util.h"
#include "test_process.h"

namespace spotrun::aws {
namespace {

using test::HeaderOf;

// The request as botocore should see it: without what the signer adds.
nlohmann::json ForBotocore(const HttpRequest& r, const Credentials& credentials) {
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : r.headers) {
    std::string lower = name;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "authorization" || lower == "x-amz-date" || lower == "x-amz-content-sha256" ||
        lower == "x-amz-security-token") {
      continue;
    }
    headers.push_back({name, value});
  }
  return {{"method", r.method},
          {"url", r.url},
          {"body_hex", HexEncode(r.body)},
          {"headers", headers},
          {"region", "eu-west-1"},
          {"time", HeaderOf(r, "X-Amz-Date")},
          {"akid", credentials.access_key_id},
          {"secret", credentials.secret_access_key},
          {"token", credentials.session_token}};
}

TEST(S3SigV4BotocoreTest, EveryCallSignsLikeBotocore) {
  if (!test::HaveBotocore()) GTEST_SKIP() << "python3 with botocore is not available";
  test::ScriptedHttpClient http;
  http.answer = [](const HttpRequest& r) {
    if (r.url.ends_with("?uploads")) {
      return test::S3Answer(200, "<R><UploadId>id+/=~x</UploadId></R>");
    }
    return test::S3Answer(200, "<ListBucketResult/>",
                          {{"ETag", "\"" + test::Md5Hex(r.body) + "\""}});
  };
  ManualClock clock;
  std::vector<Credentials> all = {
      {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", 0, "tests"},
      {"ASIAEXAMPLE", "secret/with+chars", "session/token+=", 0, "tests"}};
  nlohmann::json batch = nlohmann::json::array();
  std::vector<std::string> ours;
  std::string big = (std::filesystem::path(testing::TempDir()) / "s3-sigv4-big").string();
  std::ofstream(big, std::ios::binary) << std::string(30, 'z');
  for (const Credentials& credentials : all) {
    StaticCredentialProvider provider(credentials);
    S3ClientOptions options;
    options.endpoint = "http://127.0.0.1:9000";
    options.region = "eu-west-1";
    options.multipart_threshold = 20;
    options.part_size = 16;
    S3Client client(&http, &provider, &clock, options);
    http.requests.clear();
    for (const std::string key : {"simple", "dir/sub/file.bin", "a b+c=d&e;f,g", "tilde~x..y",
                                  "100%/\xc3\xbcn\xc3\xafc\xc3\xb6"
                                  "de",
                                  "(paren)*star'q'"}) {
      (void)client.PutObject("bkt", key, "body of " + key);
      (void)client.GetObject("bkt", key);
      (void)client.HeadObject("bkt", key);
      (void)client.DeleteObject("bkt", key);
    }
    (void)client.ListObjects("bkt", "pre fix/+=&");
    (void)client.DeleteObjects("bkt", {"a&b", "c<d"});
    (void)client.PutFile("my.bucket", "multi part", big);
    (void)client.CreateBucket("bkt-2");
    for (const HttpRequest& r : http.requests) {
      batch.push_back(ForBotocore(r, credentials));
      ours.push_back(HeaderOf(r, "Authorization"));
    }
  }
  auto run = test::RunCaptured({"python3", test::SourcePath("tests/tools/s3_sigv4_batch.py")},
                               batch.dump(), 120);
  ASSERT_TRUE(run.has_value());
  ASSERT_EQ(run->exit_code, 0) << run->out;
  auto theirs = nlohmann::json::parse(run->out);
  ASSERT_EQ(theirs.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    SCOPED_TRACE(batch[i].dump() + "\n" + theirs[i]["canonical_request"].get<std::string>());
    EXPECT_EQ(ours[i], theirs[i]["authorization"].get<std::string>());
  }
}

}  // namespace
}  // namespace spotrun::aws
