// AWS credentials as values, and the provider seam that hands them out
// (static keys, or a credential_process that is re-run before expiry; see
// credential_process.h). Secrets never appear in ToString output or in
// messages: callers pass AWS error text through Credentials::Redact.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace spotrun::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;  // Secret.
  std::string session_token;      // Secret; empty for long-term keys.
  double expiration = 0;          // Epoch seconds; 0 = never expires.
  // Where these came from, phrased so a user knows what to fix, e.g.
  // "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY" or
  // "profile 'dev' in /home/u/.aws/credentials".
  std::string source;

  // "access key AKIA…WXYZ from <source>": the key id is shortened and the
  // secret and token are never included.
  std::string ToString() const;
  // `text` with every occurrence of the secret key and the session token
  // replaced by "<redacted>".
  std::string Redact(std::string_view text) const;
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  // The credentials to sign with now. Fails with kAuth, naming the variable,
  // profile or command to fix. Safe to call from several threads at once.
  virtual Result<Credentials> Get() = 0;
};

// Hands out fixed credentials (environment variables, shared files, tests).
class StaticCredentialProvider : public CredentialProvider {
 public:
  explicit StaticCredentialProvider(Credentials credentials)
      : credentials_(std::move(credentials)) {}
  Result<Credentials> Get() override { return credentials_; }

 private:
  Credentials credentials_;
};

}  // namespace spotrun::aws
