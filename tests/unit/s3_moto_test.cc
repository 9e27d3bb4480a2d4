// S3Client over CurlHttpClient against a real moto_server on 127.0.0.1 (a port
// it picks; started once for the suite, with a 256-byte minimum part size so
// that multipart uploads stay small). Skipped when moto_server is missing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>

#include "cloud/aws/s3_client.h"
#include "cloud/aws/sigv4.h"
#include "s3_moto_fixture.h"
#include "util/faulty_http_client.h"

namespace spotrun::aws {
namespace {

namespace fs = std::filesystem;

// Flips one byte of every request body (or response body) while `armed`
// says so, as a bad link would.
class CorruptingHttpClient : public HttpClient {
 public:
  explicit CorruptingHttpClient(HttpClient* base) : base_(base) {}
  int corrupt_requests = 0;   // PUT bodies to damage, counting down.
  int corrupt_responses = 0;  // GET bodies to damage, counting down.

  Result<HttpResponse> Send(const HttpRequest& request) override {
    HttpRequest copy = request;
    if (copy.method == "PUT" && !copy.body.empty() && corrupt_requests > 0) {
      --corrupt_requests;
      copy.body[copy.body.size() / 2] ^= 0x20;
    }
    Result<HttpResponse> response = base_->Send(copy);
    if (response.ok() && request.method == "GET" && !response->body.empty() &&
        corrupt_responses > 0) {
      --corrupt_responses;
      response->body[0] ^= 0x01;
    }
    return response;
  }

 private:
  HttpClient* base_;
};

class S3MotoTest : public test::S3MotoFixture {
 protected:
  std::string RandomFile(const std::string& name, size_t size, uint32_t seed = 1) {
    std::mt19937 rng(seed);
    std::string data(size, '\0');
    for (char& c : data) c = char(rng());
    fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << data;
    return path.string();
  }
  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // Files in dir_ whose name has ".tmp-" in it (left-over temporary files).
  int TempFiles() {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir_)) {
      n += e.path().filename().string().find(".tmp-") != std::string::npos;
    }
    return n;
  }
};

TEST_F(S3MotoTest, PutGetHeadListDelete) {
  ASSERT_TRUE(client_->PutObject(bucket_, "a/one.txt", "first object").ok());
  Result<std::string> got = client_->GetObject(bucket_, "a/one.txt");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "first object");
  Result<S3ObjectInfo> head = client_->HeadObject(bucket_, "a/one.txt");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->size, 12);
  EXPECT_EQ(head->sha256, Sha256Hex("first object"));

  for (std::string key : {"a/two", "a/three x+y", "a/sub/four", "b/other"}) {
    ASSERT_TRUE(client_->PutObject(bucket_, key, key).ok());
  }
  trace_.Clear();
  Result<std::vector<S3ObjectInfo>> listed = client_->ListObjects(bucket_, "a/", 2);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<std::string> keys;
  for (const S3ObjectInfo& o : *listed) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a/one.txt", "a/sub/four", "a/three x+y", "a/two"}));
  EXPECT_EQ(trace_.log().size(), 2u);  // Two pages of two keys.

  ASSERT_TRUE(client_->DeleteObject(bucket_, "a/one.txt").ok());
  EXPECT_TRUE(client_->DeleteObject(bucket_, "a/one.txt").ok());  // Already gone.
  EXPECT_EQ(client_->HeadObject(bucket_, "a/one.txt").status().code(), Code::kNotFound);
  Result<std::string> missing = client_->GetObject(bucket_, "a/one.txt");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find("NoSuchKey"), std::string::npos);
  ASSERT_TRUE(
      client_->DeleteObjects(bucket_, {"a/two", "a/three x+y", "a/sub/four", "a/none"}).ok());
  listed = client_->ListObjects(bucket_, "");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).key, "b/other");

  EXPECT_TRUE(client_->CreateBucket(bucket_).ok());  // Owned already.
  Result<std::string> no_bucket = client_->GetObject("spotrun-no-such-bucket", "k");
  EXPECT_EQ(no_bucket.status().code(), Code::kNotFound);
  EXPECT_NE(no_bucket.status().message().find("NoSuchBucket"), std::string::npos);
}

TEST_F(S3MotoTest, LargeFilesGoInPartsAndComeBackInRanges) {
  std::string path = RandomFile("big.bin", 2000);  // Parts of 512: 4 parts, 4 ranges.
  Status put = client_->PutFile(bucket_, "ckpt/big.bin", path);
  ASSERT_TRUE(put.ok()) << put.ToString();
  std::vector<std::string> log = trace_.log();
  ASSERT_EQ(log.size(), 6u);
  EXPECT_EQ(log[0], "POST /" + bucket_ + "/ckpt/big.bin?uploads (0 bytes)");
  EXPECT_EQ(log[4].rfind("PUT /" + bucket_ + "/ckpt/big.bin?partNumber=4&uploadId=", 0), 0u);
  EXPECT_TRUE(log[4].ends_with(" (464 bytes)")) << log[4];
  EXPECT_EQ(log[5].rfind("POST /" + bucket_ + "/ckpt/big.bin?uploadId=", 0), 0u);
  Result<S3ObjectInfo> head = client_->HeadObject(bucket_, "ckpt/big.bin");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 2000);
  EXPECT_EQ(head->sha256, Sha256Hex(Read(path)));

  trace_.Clear();
  fs::path copy = dir_ / "copy.bin";
  Status got = client_->GetFile(bucket_, "ckpt/big.bin", copy.string());
  ASSERT_TRUE(got.ok()) << got.ToString();
  EXPECT_EQ(Read(copy), Read(path));
  EXPECT_EQ(trace_.log().size(), 4u);
  EXPECT_EQ(TempFiles(), 0);
}

TEST_F(S3MotoTest, EmptyAndSmallFilesRoundTrip) {
  std::string empty = RandomFile("empty", 0);
  ASSERT_TRUE(client_->PutFile(bucket_, "empty", empty).ok());
  fs::path out = dir_ / "empty.out";
  Status got = client_->GetFile(bucket_, "empty", out.string());
  ASSERT_TRUE(got.ok()) << got.ToString();
  EXPECT_TRUE(fs::exists(out));
  EXPECT_EQ(fs::file_size(out), 0u);

  std::string small = RandomFile("small", 300, 7);
  ASSERT_TRUE(client_->PutFile(bucket_, "small", small, Sha256Hex(Read(small))).ok());
  ASSERT_TRUE(client_->GetFile(bucket_, "small", (dir_ / "small.out").string()).ok());
  EXPECT_EQ(Read(dir_ / "small.out"), Read(small));
}

TEST_F(S3MotoTest, BytesDamagedOnTheWayAreDetected) {
  CorruptingHttpClient corrupting(&curl_);
  S3Client client = MakeClient(&corrupting);
  std::string path = RandomFile("payload", 1500);  // Three parts.

  corrupting.corrupt_requests = 1;  // Stored damaged once: the ETag tells, the part is re-sent.
  ASSERT_TRUE(client.PutFile(bucket_, "retried", path).ok());
  ASSERT_TRUE(client.PutObject(bucket_, "single", "some bytes").ok());
  EXPECT_EQ(corrupting.corrupt_requests, 0);
  Result<std::string> back = client.GetObject(bucket_, "retried");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, Read(path));

  corrupting.corrupt_requests = 100;  // Every try damaged: the upload fails.
  Status put = client.PutObject(bucket_, "broken", "some bytes");
  EXPECT_EQ(put.code(), Code::kUnavailable);
  EXPECT_NE(put.message().find("differ from those sent"), std::string::npos) << put.message();
  corrupting.corrupt_requests = 0;

  fs::path dest = dir_ / "dest";
  std::ofstream(dest) << "previous";
  corrupting.corrupt_responses = 100;
  Status got = client.GetFile(bucket_, "retried", dest.string());
  EXPECT_EQ(got.code(), Code::kUnavailable);
  EXPECT_NE(got.message().find("does not match its SHA-256"), std::string::npos) << got.message();
  EXPECT_EQ(Read(dest), "previous");
  EXPECT_EQ(TempFiles(), 0);
}

TEST_F(S3MotoTest, AFailedMultipartUploadIsAbortedAndLeavesNoObject) {
  FaultyHttpClient faulty(&trace_);
  test::HookedHttpClient hooked(&faulty, [&](const HttpRequest& r) {
    if (r.url.find("partNumber=2") != std::string::npos) {
      faulty.FailNext(1, HttpFault::DropBeforeSend());
    }
  });
  S3Client client = MakeClient(&hooked);
  Status put = client.PutFile(bucket_, "aborted", RandomFile("f", 1500));
  EXPECT_EQ(put.code(), Code::kUnavailable);
  std::vector<std::string> log = trace_.log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().rfind("DELETE /" + bucket_ + "/aborted?uploadId=", 0), 0u) << log.back();
  EXPECT_EQ(client_->HeadObject(bucket_, "aborted").status().code(), Code::kNotFound);
}

TEST_F(S3MotoTest, ACompleteWhoseAnswerIsLostStillSucceeds) {
  FaultyHttpClient faulty(&trace_);
  bool dropped = false;
  test::HookedHttpClient hooked(&faulty, [&](const HttpRequest& r) {
    if (r.method == "POST" && r.url.find("?uploadId=") != std::string::npos && !dropped) {
      dropped = true;
      faulty.FailNext(1, HttpFault::DropAfterSend());
    }
  });
  S3Client client = MakeClient(&hooked);
  std::string path = RandomFile("f", 1500, 3);
  Status put = client.PutFile(bucket_, "completed", path);
  ASSERT_TRUE(put.ok()) << put.ToString();
  EXPECT_TRUE(dropped);
  Result<std::string> back = client_->GetObject(bucket_, "completed");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, Read(path));
}

}  // namespace
}  // namespace spotrun::aws
