// S3 REST answers (XML bodies and headers), read by S3Client's real code.
// The first byte picks the call; the rest is an answer script
// (fuzz_support.h).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cloud/aws/s3_client.h"
#include "fuzz_support.h"

namespace spotrun::aws {
namespace {

void CallOne(S3Client& s3, uint8_t which) {
  static const std::string upload = fuzz::WriteScratch("upload", "twenty bytes of data");
  static const std::string download = fuzz::ScratchDir() + "/download";
  switch (which % 9) {
    case 0:
      (void)s3.ListObjects("bkt", "p/", 2);
      break;
    case 1:
      (void)s3.DeleteObjects("bkt", {"a", "b"});
      break;
    case 2:
      (void)s3.GetObject("bkt", "k");
      break;
    case 3:
      (void)s3.HeadObject("bkt", "k");
      break;
    case 4:
      (void)s3.PutObject("bkt", "k", "body");
      break;
    case 5:
      (void)s3.PutFile("bkt", "k", upload);
      break;
    case 6:
      (void)s3.GetFile("bkt", "k", download);
      break;
    case 7:
      (void)s3.CreateBucket("bkt");
      break;
    default:
      (void)s3.DeleteObject("bkt", "k");
  }
}

}  // namespace
}  // namespace spotrun::aws

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace spotrun;
  if (size == 0) return 0;
  fuzz::ScriptedAnswers http(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  aws::StaticCredentialProvider credentials({"AKIDEXAMPLE", "secret", "", 0, "fuzz"});
  ManualClock clock(1'440'938'160);
  aws::S3ClientOptions options;
  options.endpoint = "http://127.0.0.1:9";
  options.region = "us-east-1";
  options.max_attempts = 3;
  options.multipart_threshold = 8;  // The 20-byte upload goes in parts of 8.
  options.part_size = 8;
  aws::S3Client s3(&http, &credentials, &clock, options);
  aws::CallOne(s3, data[0]);
  return 0;
}
