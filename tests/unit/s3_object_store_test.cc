// ParseS3Url, and S3ObjectStore's mapping of keys under its prefix, on a
// scripted fake HttpClient.
#include "cloud/aws/s3_object_store.h"

#include <gtest/gtest.h>

#include "s3_test_util.h"

namespace spotrun::aws {
namespace {

TEST(ParseS3UrlTest, BucketAndPrefix) {
  Result<S3Location> root = ParseS3Url("s3://my-bucket/jobs/job-1/ckpt/");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->bucket, "my-bucket");
  EXPECT_EQ(root->prefix, "jobs/job-1/ckpt/");
  EXPECT_EQ(ParseS3Url("s3://my-bucket/jobs")->prefix, "jobs/");
  EXPECT_EQ(ParseS3Url("s3://my-bucket")->prefix, "");
  EXPECT_EQ(ParseS3Url("s3://my-bucket/")->prefix, "");
  EXPECT_EQ(ParseS3Url("s3://my.dotted.bucket/x")->bucket, "my.dotted.bucket");
}

TEST(ParseS3UrlTest, RejectsWhatS3WouldNot) {
  for (const char* url :
       {"https://bucket/x", "s3://", "s3://ab", "s3://Upper/x", "s3://under_score", "s3://-dash",
        "s3://bucket//x", "s3://bucket/a/../b", "s3://bucket/./b"}) {
    Result<S3Location> root = ParseS3Url(url);
    EXPECT_EQ(root.status().code(), Code::kInvalidArgument) << url;
    if (!root.ok()) EXPECT_NE(root.status().message().find(url), std::string::npos);
  }
}

TEST(S3ObjectStoreTest, KeysLiveUnderThePrefix) {
  test::ScriptedHttpClient http;
  http.answer = [](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.method == "GET" && r.url.find("list-type=2") != std::string::npos) {
      return test::S3Answer(200,
                            "<ListBucketResult><IsTruncated>false</IsTruncated>"
                            "<Contents><Key>p/q/blobs/ab</Key><Size>3</Size></Contents>"
                            "</ListBucketResult>");
    }
    return test::S3Answer(200, "<DeleteResult/>", {{"ETag", "\"" + test::Md5Hex(r.body) + "\""}});
  };
  StaticCredentialProvider credentials({"AKIDEXAMPLE", "secret", "", 0, "tests"});
  ManualClock clock;
  S3ClientOptions options;
  options.endpoint = "http://127.0.0.1:9000";
  options.region = "us-east-1";
  S3Client client(&http, &credentials, &clock, options);
  S3ObjectStore store(&client, *ParseS3Url("s3://bkt/p/q"));
  EXPECT_EQ(store.Describe(), "s3://bkt/p/q/");

  ASSERT_TRUE(store.PutBytes("MANIFEST.json", "{}").ok());
  EXPECT_EQ(http.requests.back().url, "http://127.0.0.1:9000/bkt/p/q/MANIFEST.json");
  Result<std::vector<StoredObject>> listed = store.List("blobs/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(http.requests.back().url,
            "http://127.0.0.1:9000/bkt?list-type=2&max-keys=1000&prefix=p%2Fq%2Fblobs%2F");
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).key, "blobs/ab");
  EXPECT_EQ(listed->at(0).size, 3);
  ASSERT_TRUE(store.Delete({"blobs/ab"}).ok());
  EXPECT_NE(http.requests.back().body.find("<Key>p/q/blobs/ab</Key>"), std::string::npos);
}

}  // namespace
}  // namespace spotrun::aws
