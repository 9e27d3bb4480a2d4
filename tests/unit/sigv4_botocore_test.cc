// Signs randomized requests with our SigV4 signer and with botocore (the
// reference signer in tests/tools/, run under python3) and compares the
// canonical request, the string to sign and the Authorization header.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "cloud/aws/sigv4.h"
#include "test_process.h"
#include "util/encoding.h"

namespace spotrun::aws {
namespace {

class RandomRequests {
 public:
  explicit RandomRequests(uint64_t seed) : rng_(seed) {}

  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[size_t(Int(0, int(items.size()) - 1))];
  }
  std::string Text(const std::string& alphabet, int min_len, int max_len) {
    std::string out;
    for (int n = Int(min_len, max_len); n > 0; --n)
      out += alphabet[size_t(Int(0, int(alphabet.size()) - 1))];
    return out;
  }

  // Path segments drawn from characters botocore and we both encode the same
  // way, with "." and ".." segments and doubled slashes for normalization.
  std::string Path() {
    std::string path;
    for (int n = Int(0, 4); n > 0; --n) {
      int kind = Int(0, 9);
      path += kind == 0 ? "/." : kind == 1 ? "/.." : kind == 2 ? "//" : "/";
      if (kind > 2) path += Text("abcXYZ019-._~ $!@,=", 1, 8);
    }
    return path.empty() || Int(0, 3) == 0 ? path + "/" : path;
  }

  // A query string already percent-encoded, as a URL on the wire carries it.
  std::string Query() {
    std::string query;
    for (int n = Int(0, 4); n > 0; --n) {
      std::string key = PercentEncode(Text("aAbB19-_.~ +/=&\xc3\xa9", 1, 6));
      std::string value = PercentEncode(Text("aAbB19-_.~ +/=&\xc3\xa9", 0, 8));
      query += (query.empty() ? "" : "&") + key + "=" + value;
    }
    return query;
  }

  nlohmann::json Request(HttpRequest* request, Credentials* credentials, SigV4Options* options) {
    request->method = Pick<std::string>({"GET", "POST", "PUT", "DELETE"});
    std::string host = Pick<std::string>({"ec2.us-east-1.amazonaws.com", "127.0.0.1:5000",
                                          "example.amazonaws.com", "localhost:8443"});
    std::string query = Query();
    request->url =
        "https://" + host + (Int(0, 4) ? Path() : "") + (query.empty() ? "" : "?" + query);
    request->headers.clear();
    for (int n = Int(0, 3); n > 0; --n) {
      std::string name = Pick<std::string>(
          {"Content-Type", "X-Amz-Target", "My-Header", "user-agent", "X-Custom-Thing", "Accept"});
      std::string value = Text("abc XYZ  019;=/\t", 0, 20);
      if (std::any_of(request->headers.begin(), request->headers.end(),
                      [&](const auto& h) { return h.first == name; })) {
        continue;
      }
      request->headers.emplace_back(name, value);
    }
    request->body = Int(0, 1) ? "Action=" + Text("ABCdef", 1, 10) + "&Version=2016-11-15" : "";
    credentials->access_key_id = "AKID" + Text("ABCDEFGHIJKLMNOP0123456789", 16, 16);
    credentials->secret_access_key = Text("abcdefABCDEF0123456789/+", 40, 40);
    credentials->session_token = Int(0, 1) ? Text("abcdefABCDEF0123456789/+=", 20, 80) : "";
    options->region = Pick<std::string>({"us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1"});
    options->service = Pick<std::string>({"ec2", "iam", "sts", "service"});
    options->time = double(Int(1'420'070'400, 2'000'000'000));
    nlohmann::json headers = nlohmann::json::array();
    for (const auto& [name, value] : request->headers) headers.push_back({name, value});
    return {{"method", request->method},
            {"url", request->url},
            {"body", request->body},
            {"headers", headers},
            {"region", options->region},
            {"service", options->service},
            {"time", AmzDate(options->time)},
            {"akid", credentials->access_key_id},
            {"secret", credentials->secret_access_key},
            {"token", credentials->session_token}};
  }

 private:
  std::mt19937_64 rng_;
};

TEST(SigV4BotocoreTest, RandomizedRequestsMatchBotocore) {
  if (!test::HaveBotocore()) GTEST_SKIP() << "python3 with botocore is not available";
  constexpr int kRequests = 200;
  RandomRequests random(20261126);
  nlohmann::json batch = nlohmann::json::array();
  std::vector<SigV4Signature> ours;
  for (int i = 0; i < kRequests; ++i) {
    HttpRequest request;
    Credentials credentials;
    SigV4Options options;
    batch.push_back(random.Request(&request, &credentials, &options));
    ours.push_back(SignV4(credentials, options, &request));
  }
  auto run = test::RunCaptured({"python3", test::SourcePath("tests/tools/sigv4_batch.py")},
                               batch.dump(), 120);
  ASSERT_TRUE(run.has_value());
  ASSERT_EQ(run->exit_code, 0) << run->out;
  auto theirs = nlohmann::json::parse(run->out);
  ASSERT_EQ(theirs.size(), size_t(kRequests));
  for (int i = 0; i < kRequests; ++i) {
    SCOPED_TRACE(batch[i].dump());
    EXPECT_EQ(ours[i].canonical_request, theirs[i]["canonical_request"].get<std::string>());
    EXPECT_EQ(ours[i].string_to_sign, theirs[i]["string_to_sign"].get<std::string>());
    EXPECT_EQ(ours[i].authorization, theirs[i]["authorization"].get<std::string>());
  }
}

}  // namespace
}  // namespace spotrun::aws
