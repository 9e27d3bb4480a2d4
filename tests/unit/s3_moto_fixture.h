// A test fixture with a moto_server (S3) on 127.0.0.1, started once per suite
// with a 256-byte minimum part size, a fresh bucket and temporary directory
// per test, and an S3Client whose requests are traced. Tests skip when
// moto_server is missing.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "cloud/aws/s3_client.h"
#include "s3_test_util.h"
#include "test_process.h"

namespace spotrun::test {

class S3MotoFixture : public MotoSuite<S3MotoFixture> {
 public:
  // Small multipart parts, so that tests upload several with little data.
  static std::map<std::string, std::string> MotoEnv() {
    return {{"S3_UPLOAD_PART_MIN_SIZE", "256"}};
  }

 protected:
  void SetUp() override {
    MotoSuite<S3MotoFixture>::SetUp();
    if (IsSkipped()) return;
    std::string n = std::to_string(getpid()) + "-" + std::to_string(++counter_);
    bucket_ = "spotrun-test-" + n;
    dir_ = std::filesystem::path(testing::TempDir()) / ("spotrun-s3-" + n);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    client_ = std::make_unique<aws::S3Client>(&trace_, &credentials_, &clock_, Options());
    Status created = client_->CreateBucket(bucket_);
    ASSERT_TRUE(created.ok()) << created.ToString();
    trace_.Clear();
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  // A client on `http` with small parts: multipart from 1000 bytes, parts
  // and ranges of 512, two tries per request, no real sleeping.
  aws::S3Client MakeClient(HttpClient* http) {
    return aws::S3Client(http, &credentials_, &clock_, Options());
  }
  aws::S3ClientOptions Options() const {
    aws::S3ClientOptions options;
    options.endpoint = moto_->url();
    options.region = "us-east-1";
    options.max_attempts = 2;
    options.base_backoff_s = 0.01;
    options.timeout_s = 60;
    options.multipart_threshold = 1000;
    options.part_size = 512;
    return options;
  }

  inline static int counter_ = 0;
  CurlHttpClient curl_;
  TracingHttpClient trace_{&curl_};
  aws::StaticCredentialProvider credentials_{{"AKIAMOTOTESTING00000", "testing", "", 0, "tests"}};
  ManualClock clock_;
  std::unique_ptr<aws::S3Client> client_;
  std::string bucket_;
  std::filesystem::path dir_;
};

}  // namespace spotrun::test
