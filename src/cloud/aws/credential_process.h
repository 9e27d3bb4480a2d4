// credential_process: credentials printed as JSON by an external command, as
// the AWS CLI runs it (https://docs.aws.amazon.com/sdkref/latest/guide/
// feature-process-credentials.html). The command line is split like a POSIX
// shell would (quotes, backslashes) and run without a shell; its stdout must
// be {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?,
// "Expiration"? (RFC 3339)}. Its output is never put in messages.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cloud/aws/credentials.h"
#include "util/clock.h"

namespace spotrun::aws {

// Splits a command line into words: whitespace separates, '...' is literal,
// "..." allows \" \\ \$ \` escapes, a backslash outside quotes escapes the
// next character. nullopt on an unterminated quote.
std::optional<std::vector<std::string>> SplitCommandLine(const std::string& command);

// Parses the command's stdout. `label` names the setting in messages
// ("credential_process of profile 'dev' in /home/u/.aws/config").
Result<Credentials> ParseProcessCredentials(const std::string& json, const std::string& label);

class ProcessCredentialProvider : public CredentialProvider {
 public:
  // `command` is the credential_process value; `env` the child's whole
  // environment; `clock` (not owned) decides when cached credentials expire.
  ProcessCredentialProvider(std::string command, std::string label,
                            std::map<std::string, std::string> env, Clock* clock,
                            double timeout_s = 60);

  // Runs the command on first use and again when the cached credentials
  // expire within 10 minutes. Fails with kAuth naming `label` when the
  // command cannot run, exits non-zero, times out, or prints bad JSON.
  Result<Credentials> Get() override;

 private:
  std::string command_;
  std::string label_;
  std::map<std::string, std::string> env_;
  Clock* clock_;
  double timeout_s_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
};

}  // namespace spotrun::aws
