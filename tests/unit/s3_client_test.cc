// S3Client on the wire, against a scripted fake HttpClient: URLs, signing
// headers, checksums, multipart XML, retries and error mapping.
#include "cloud/aws/s3_client.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cloud/aws/sigv4.h"
#include "s3_test_util.h"

namespace spotrun::aws {
namespace {

namespace fs = std::filesystem;
using test::HeaderOf;
using test::S3Answer;
using test::S3ErrorAnswer;

class S3ClientTest : public testing::Test {
 protected:
  S3Client MakeClient(S3ClientOptions options = {}) {
    if (options.endpoint.empty()) options.endpoint = "http://127.0.0.1:9000";
    if (options.region.empty()) options.region = "us-east-1";
    return S3Client(&http_, &credentials_, &clock_, options);
  }
  std::string TempFile(const std::string& content) {
    fs::path path = fs::path(testing::TempDir()) / ("s3-client-" + std::to_string(++files_));
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }
  // Answers uploads with the ETag S3 computes (the MD5 of the body).
  void EchoMd5Etags() {
    http_.answer = [](const HttpRequest& r) {
      return S3Answer(200, "", {{"ETag", "\"" + test::Md5Hex(r.body) + "\""}});
    };
  }

  test::ScriptedHttpClient http_;
  StaticCredentialProvider credentials_{{"AKIDEXAMPLE", "secret", "", 0, "tests"}};
  ManualClock clock_;  // 2023-11-14T22:13:20Z.
  int files_ = 0;
};

TEST_F(S3ClientTest, PutObjectIsSignedPathStyleWithChecksums) {
  EchoMd5Etags();
  S3Client client = MakeClient();
  ASSERT_TRUE(client.PutObject("bkt", "dir/a b+c.bin", "hello").ok());
  ASSERT_EQ(http_.requests.size(), 1u);
  const HttpRequest& r = http_.requests[0];
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.url, "http://127.0.0.1:9000/bkt/dir/a%20b%2Bc.bin");
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(HeaderOf(r, "x-amz-content-sha256"), Sha256Hex("hello"));
  EXPECT_EQ(HeaderOf(r, "X-Amz-Date"), "20231114T221320Z");
  EXPECT_EQ(HeaderOf(r, "x-amz-meta-sha256"), Sha256Hex("hello"));
  EXPECT_EQ(HeaderOf(r, "Content-MD5"), "XUFAKrxLKna5cZ2REBfFkg==");
  EXPECT_EQ(HeaderOf(r, "x-amz-checksum-sha256"), "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
  EXPECT_EQ(HeaderOf(r, "x-amz-sdk-checksum-algorithm"), "SHA256");
  // Signed as botocore's S3SigV4Auth signs it (tests/tools/s3_sigv4_batch.py):
  // the key is encoded once in the canonical URI.
  EXPECT_EQ(HeaderOf(r, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/s3/aws4_request, "
            "SignedHeaders=content-md5;content-type;host;x-amz-checksum-sha256;"
            "x-amz-content-sha256;x-amz-date;x-amz-meta-sha256;x-amz-sdk-checksum-algorithm, "
            "Signature=e88430847705966af49b51148c5b210ed0e11619dfe922961333d19a9b5748d0");
}

TEST_F(S3ClientTest, VirtualHostedUrlsUnlessTheBucketHasDots) {
  S3ClientOptions options;
  options.endpoint = "https://s3.eu-west-1.amazonaws.com";
  options.region = "eu-west-1";
  options.path_style = false;
  S3Client client = MakeClient(options);
  (void)client.DeleteObject("bkt", "k/1");
  (void)client.DeleteObject("my.bucket", "k");
  ASSERT_EQ(http_.requests.size(), 2u);
  EXPECT_EQ(http_.requests[0].url, "https://bkt.s3.eu-west-1.amazonaws.com/k/1");
  EXPECT_EQ(http_.requests[1].url, "https://s3.eu-west-1.amazonaws.com/my.bucket/k");
  EXPECT_NE(HeaderOf(http_.requests[0], "Authorization").find("/eu-west-1/s3/aws4_request"),
            std::string::npos);
}

TEST_F(S3ClientTest, OptionsForAConfigUsePathStyleOnlyForEndpointOverrides) {
  AwsConfig config;
  config.region = "us-west-2";
  config.s3_endpoint = DefaultEndpoint("s3", "us-west-2");
  config.max_attempts = 7;
  EXPECT_FALSE(S3OptionsFor(config).path_style);
  EXPECT_EQ(S3OptionsFor(config).max_attempts, 7);
  config.s3_endpoint = "http://127.0.0.1:5000";
  EXPECT_TRUE(S3OptionsFor(config).path_style);
  EXPECT_EQ(S3OptionsFor(config).endpoint, "http://127.0.0.1:5000");
}

TEST_F(S3ClientTest, MultipartUploadWireFormat) {
  const std::string content = "0123456789abcdefghij";  // 20 bytes: parts of 8, 8, 4.
  std::string md5s = Digest::Md5("01234567") + Digest::Md5("89abcdef") + Digest::Md5("ghij");
  std::string final_etag = test::Md5Hex(md5s) + "-3";
  http_.answer = [&](const HttpRequest& r) {
    if (r.url.ends_with("?uploads")) {
      return S3Answer(200,
                      "<InitiateMultipartUploadResult><UploadId>up/1</UploadId>"
                      "</InitiateMultipartUploadResult>");
    }
    if (r.method == "POST") {
      return S3Answer(200, "<CompleteMultipartUploadResult><ETag>\"" + final_etag +
                               "\"</ETag></CompleteMultipartUploadResult>");
    }
    return S3Answer(200, "", {{"ETag", "\"" + test::Md5Hex(r.body) + "\""}});
  };
  S3ClientOptions options;
  options.multipart_threshold = 10;
  options.part_size = 8;
  S3Client client = MakeClient(options);
  Status put = client.PutFile("bkt", "big", TempFile(content));
  ASSERT_TRUE(put.ok()) << put.ToString();

  ASSERT_EQ(http_.requests.size(), 5u);
  EXPECT_EQ(http_.requests[0].method, "POST");
  EXPECT_EQ(http_.requests[0].url, "http://127.0.0.1:9000/bkt/big?uploads");
  EXPECT_EQ(HeaderOf(http_.requests[0], "x-amz-meta-sha256"), Sha256Hex(content));
  EXPECT_EQ(http_.requests[1].url, "http://127.0.0.1:9000/bkt/big?partNumber=1&uploadId=up%2F1");
  EXPECT_EQ(http_.requests[1].body, "01234567");
  EXPECT_EQ(HeaderOf(http_.requests[1], "Content-MD5"), Base64Encode(Digest::Md5("01234567")));
  EXPECT_EQ(HeaderOf(http_.requests[1], "x-amz-content-sha256"), Sha256Hex("01234567"));
  EXPECT_EQ(http_.requests[3].body, "ghij");
  EXPECT_EQ(http_.requests[4].url, "http://127.0.0.1:9000/bkt/big?uploadId=up%2F1");
  EXPECT_EQ(http_.requests[4].body,
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>\"" +
                test::Md5Hex("01234567") +
                "\"</ETag></Part>"
                "<Part><PartNumber>2</PartNumber><ETag>\"" +
                test::Md5Hex("89abcdef") +
                "\"</ETag></Part>"
                "<Part><PartNumber>3</PartNumber><ETag>\"" +
                test::Md5Hex("ghij") + "\"</ETag></Part></CompleteMultipartUpload>");
}

TEST_F(S3ClientTest, FailedMultipartUploadIsAborted) {
  http_.answer = [](const HttpRequest& r) {
    if (r.url.ends_with("?uploads")) {
      return S3Answer(200,
                      "<InitiateMultipartUploadResult><UploadId>U</UploadId>"
                      "</InitiateMultipartUploadResult>");
    }
    if (r.url.find("partNumber=2") != std::string::npos) {
      return S3ErrorAnswer(400, "InvalidPart");
    }
    return S3Answer(r.method == "DELETE" ? 204 : 200, "",
                    {{"ETag", "\"" + test::Md5Hex(r.body) + "\""}});
  };
  S3ClientOptions options;
  options.multipart_threshold = 10;
  options.part_size = 8;
  S3Client client = MakeClient(options);
  Status put = client.PutFile("bkt", "big", TempFile(std::string(20, 'x')));
  EXPECT_EQ(put.code(), Code::kInvalidArgument);
  EXPECT_NE(put.message().find("UploadPart s3://bkt/big: InvalidPart"), std::string::npos)
      << put.message();
  ASSERT_EQ(http_.requests.size(), 4u);
  EXPECT_EQ(http_.requests[3].method, "DELETE");
  EXPECT_EQ(http_.requests[3].url, "http://127.0.0.1:9000/bkt/big?uploadId=U");
}

TEST_F(S3ClientTest, AFileThatDiffersFromItsExpectedSha256IsNotSent) {
  S3Client client = MakeClient();
  Status put = client.PutFile("bkt", "k", TempFile("abc"), Sha256Hex("abd"));
  EXPECT_EQ(put.code(), Code::kUnavailable);
  EXPECT_TRUE(http_.requests.empty());
}

TEST_F(S3ClientTest, ThrottlingIsRetriedWithBackoff) {
  int calls = 0;
  http_.answer = [&](const HttpRequest& r) {
    if (++calls <= 2) return S3ErrorAnswer(503, "SlowDown", "Please reduce your request rate.");
    return S3Answer(200, "", {{"ETag", "\"" + test::Md5Hex(r.body) + "\""}});
  };
  S3Client client = MakeClient();
  double before = clock_.Now();
  ASSERT_TRUE(client.PutObject("bkt", "k", "x").ok());
  EXPECT_EQ(http_.requests.size(), 3u);
  EXPECT_GT(clock_.Now(), before);
}

TEST_F(S3ClientTest, ErrorsCarryTheS3CodeAndMapToKinds) {
  S3ClientOptions options;
  options.max_attempts = 2;
  S3Client client = MakeClient(options);

  http_.answer = [](const HttpRequest&) { return S3ErrorAnswer(403, "AccessDenied"); };
  Result<std::string> denied = client.GetObject("bkt", "k");
  EXPECT_EQ(denied.status().code(), Code::kAuth);
  EXPECT_NE(denied.status().message().find("s3 GetObject s3://bkt/k: AccessDenied"),
            std::string::npos)
      << denied.status().message();
  EXPECT_NE(denied.status().message().find("grant s3:GetObject"), std::string::npos);

  http_.answer = [](const HttpRequest&) { return S3ErrorAnswer(404, "NoSuchKey"); };
  EXPECT_EQ(client.GetObject("bkt", "k").status().code(), Code::kNotFound);
  http_.answer = [](const HttpRequest&) { return S3Answer(404); };  // HEAD: no body.
  Result<S3ObjectInfo> head = client.HeadObject("bkt", "k");
  EXPECT_EQ(head.status().code(), Code::kNotFound);
  http_.answer = [](const HttpRequest&) { return S3Answer(403); };
  EXPECT_EQ(client.HeadObject("bkt", "k").status().code(), Code::kAuth);

  http_.requests.clear();
  http_.answer = [](const HttpRequest&) { return S3ErrorAnswer(500, "InternalError"); };
  Result<std::string> busy = client.GetObject("bkt", "k");
  EXPECT_EQ(busy.status().code(), Code::kUnavailable);
  EXPECT_NE(busy.status().message().find("InternalError"), std::string::npos);
  EXPECT_NE(busy.status().message().find("gave up after 2 attempts"), std::string::npos);
  EXPECT_EQ(http_.requests.size(), 2u);

  http_.answer = [](const HttpRequest&) {
    HttpResponse r = S3ErrorAnswer(301, "PermanentRedirect");
    r.headers.emplace_back("x-amz-bucket-region", "eu-central-1");
    return r;
  };
  Result<std::string> moved = client.GetObject("bkt", "k");
  EXPECT_EQ(moved.status().code(), Code::kInvalidArgument);
  EXPECT_NE(moved.status().message().find("the bucket is in region eu-central-1"),
            std::string::npos);
}

TEST_F(S3ClientTest, StoredBytesThatDifferFromThoseSentAreRetried) {
  int calls = 0;
  http_.answer = [&](const HttpRequest& r) {
    std::string etag = ++calls == 1 ? test::Md5Hex("garbled") : test::Md5Hex(r.body);
    return S3Answer(200, "", {{"ETag", "\"" + etag + "\""}});
  };
  S3Client client = MakeClient();
  ASSERT_TRUE(client.PutObject("bkt", "k", "payload").ok());
  EXPECT_EQ(calls, 2);

  http_.answer = [](const HttpRequest&) {
    return S3Answer(200, "", {{"ETag", "\"" + test::Md5Hex("garbled") + "\""}});
  };
  Status put = client.PutObject("bkt", "k", "payload");
  EXPECT_EQ(put.code(), Code::kUnavailable);
  EXPECT_NE(put.message().find("differ from those sent"), std::string::npos) << put.message();

  // Under SSE-KMS the ETag is no MD5 and is not compared.
  http_.answer = [](const HttpRequest&) {
    return S3Answer(200, "", {{"ETag", "\"abc\""}, {"x-amz-server-side-encryption", "aws:kms"}});
  };
  EXPECT_TRUE(client.PutObject("bkt", "k", "payload").ok());
}

TEST_F(S3ClientTest, DownloadedContentIsCheckedAgainstItsSha256) {
  http_.answer = [](const HttpRequest&) {
    return S3Answer(200, "tampered", {{"x-amz-meta-sha256", Sha256Hex("original")}});
  };
  S3ClientOptions options;
  options.max_attempts = 2;
  S3Client client = MakeClient(options);
  Result<std::string> got = client.GetObject("bkt", "k");
  EXPECT_EQ(got.status().code(), Code::kUnavailable);
  EXPECT_NE(got.status().message().find("does not match its SHA-256"), std::string::npos);

  std::string path = TempFile("before");
  EXPECT_EQ(client.GetFile("bkt", "k", path).code(), Code::kUnavailable);
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "before");
  for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path())) {
    EXPECT_EQ(entry.path().string().find(path + ".tmp"), std::string::npos) << entry.path();
  }
}

TEST_F(S3ClientTest, ListFollowsContinuationTokens) {
  http_.answer = [](const HttpRequest& r) {
    if (r.url.find("continuation-token") == std::string::npos) {
      return S3Answer(200,
                      "<ListBucketResult><IsTruncated>true</IsTruncated>"
                      "<Contents><Key>p/a</Key><Size>1</Size></Contents>"
                      "<NextContinuationToken>tok/1=</NextContinuationToken></ListBucketResult>");
    }
    return S3Answer(
        200,
        "<ListBucketResult><IsTruncated>false</IsTruncated>"
        "<Contents><Key>p/b &amp; c</Key><Size>22</Size></Contents></ListBucketResult>");
  };
  S3Client client = MakeClient();
  Result<std::vector<S3ObjectInfo>> listed = client.ListObjects("bkt", "p/", 1);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ(listed->at(1).key, "p/b & c");
  EXPECT_EQ(listed->at(1).size, 22);
  EXPECT_EQ(http_.requests[0].url, "http://127.0.0.1:9000/bkt?list-type=2&max-keys=1&prefix=p%2F");
  EXPECT_NE(http_.requests[1].url.find("&continuation-token=tok%2F1%3D"), std::string::npos);
}

TEST_F(S3ClientTest, CompleteAnsweringOkWithAnErrorDocumentIsRetried) {
  int completes = 0;
  http_.answer = [&](const HttpRequest& r) {
    if (r.url.ends_with("?uploads")) {
      return S3Answer(200,
                      "<InitiateMultipartUploadResult><UploadId>U</UploadId>"
                      "</InitiateMultipartUploadResult>");
    }
    if (r.method == "POST" && ++completes == 1) {
      return S3Answer(200, "<Error><Code>InternalError</Code><Message>m</Message></Error>");
    }
    if (r.method == "POST") return S3Answer(200, "<CompleteMultipartUploadResult/>");
    return S3Answer(200, "", {{"ETag", "\"" + test::Md5Hex(r.body) + "\""}});
  };
  S3ClientOptions options;
  options.multipart_threshold = 1;
  S3Client client = MakeClient(options);
  Status put = client.PutFile("bkt", "k", TempFile("abc"));
  EXPECT_TRUE(put.ok()) << put.ToString();
  EXPECT_EQ(completes, 2);
}

TEST_F(S3ClientTest, ACompleteRetriedAfterALostAnswerChecksTheStoredObject) {
  const std::string content = "abcdef";
  std::string stored_sha = Sha256Hex(content);
  int completes = 0;
  http_.answer = [&](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.url.ends_with("?uploads")) {
      return S3Answer(200,
                      "<InitiateMultipartUploadResult><UploadId>U</UploadId>"
                      "</InitiateMultipartUploadResult>");
    }
    if (r.method == "POST" && ++completes == 1) return Unavailable("connection reset");
    if (r.method == "POST") return S3ErrorAnswer(404, "NoSuchUpload");
    if (r.method == "HEAD") {
      return S3Answer(200, "", {{"Content-Length", "6"}, {"x-amz-meta-sha256", stored_sha}});
    }
    return S3Answer(r.method == "DELETE" ? 204 : 200, "",
                    {{"ETag", "\"" + test::Md5Hex(r.body) + "\""}});
  };
  S3ClientOptions options;
  options.multipart_threshold = 1;
  S3Client client = MakeClient(options);
  Status put = client.PutFile("bkt", "k", TempFile(content));
  EXPECT_TRUE(put.ok()) << put.ToString();
  EXPECT_EQ(http_.requests.back().method, "HEAD");

  completes = 0;
  stored_sha = Sha256Hex("another upload");
  put = client.PutFile("bkt", "k", TempFile(content));
  EXPECT_EQ(put.code(), Code::kNotFound);
  EXPECT_EQ(http_.requests.back().method, "DELETE");  // Aborted.
}

}  // namespace
}  // namespace spotrun::aws
