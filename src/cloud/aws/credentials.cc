#include "cloud/aws/credentials.h"

namespace spotrun::aws {
namespace {

void ReplaceAll(std::string* text, std::string_view needle) {
  if (needle.empty()) return;
  constexpr std::string_view kMask = "<redacted>";
  for (size_t pos = text->find(needle); pos != std::string::npos;
       pos = text->find(needle, pos + kMask.size())) {
    text->replace(pos, needle.size(), kMask);
  }
}

}  // namespace

std::string Credentials::ToString() const {
  const std::string& id = access_key_id;
  std::string shown = id.size() > 8 ? id.substr(0, 4) + "..." + id.substr(id.size() - 4) : "****";
  std::string out = "access key " + shown;
  if (!session_token.empty()) out += " (with session token)";
  if (!source.empty()) out += " from " + source;
  return out;
}

std::string Credentials::Redact(std::string_view text) const {
  std::string out(text);
  ReplaceAll(&out, secret_access_key);
  ReplaceAll(&out, session_token);
  return out;
}

}  // namespace spotrun::aws
