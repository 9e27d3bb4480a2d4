// ~/.aws/config through LoadAwsConfig (the INI reader and the resolution of
// profile, region, endpoints, max_attempts and credentials), once for the
// default profile and once for AWS_PROFILE=dev. A credential_process found
// is never run: LoadAwsConfig only builds its provider.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cloud/aws/aws_config.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace spotrun;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  aws::Environment env = {{"AWS_CONFIG_FILE", fuzz::WriteScratch("config", text)},
                          {"AWS_SHARED_CREDENTIALS_FILE", fuzz::ScratchDir() + "/absent"}};
  ManualClock clock(1'440'938'160);
  (void)aws::LoadAwsConfig(env, {}, &clock);
  env["AWS_PROFILE"] = "dev";
  (void)aws::LoadAwsConfig(env, {}, &clock);
  return 0;
}
