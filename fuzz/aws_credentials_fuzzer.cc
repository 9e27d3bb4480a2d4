// ~/.aws/credentials through LoadAwsConfig, once for the default profile and
// once for --profile dev, and the JSON a credential_process prints through
// ParseProcessCredentials. No command is ever run.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cloud/aws/aws_config.h"
#include "cloud/aws/credential_process.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace spotrun;
  std::string text(reinterpret_cast<const char*>(data), size);
  aws::Environment env = {{"AWS_CONFIG_FILE", fuzz::ScratchDir() + "/absent"},
                          {"AWS_SHARED_CREDENTIALS_FILE", fuzz::WriteScratch("credentials", text)},
                          {"AWS_REGION", "us-east-1"}};
  ManualClock clock(1'440'938'160);
  (void)aws::LoadAwsConfig(env, {}, &clock);
  (void)aws::LoadAwsConfig(env, {.profile = "dev"}, &clock);
  (void)aws::ParseProcessCredentials(text, "fuzz");
  (void)aws::SplitCommandLine(text);
  return 0;
}
