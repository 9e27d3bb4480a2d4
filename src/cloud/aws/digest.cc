#include "cloud/aws/digest.h"

#include <openssl/evp.h>

#include <cassert>

namespace spotrun::aws {

Digest::Digest(Kind kind) : ctx_(EVP_MD_CTX_new()) {
  assert(ctx_ != nullptr);
  EVP_DigestInit_ex(ctx_, kind == Kind::kMd5 ? EVP_md5() : EVP_sha256(), nullptr);
}

Digest::~Digest() { EVP_MD_CTX_free(ctx_); }

void Digest::Update(std::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }

std::string Digest::Final() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_DigestFinal_ex(ctx_, md, &n);
  return std::string(reinterpret_cast<char*>(md), n);
}

std::string Digest::Md5(std::string_view data) {
  Digest d(Kind::kMd5);
  d.Update(data);
  return d.Final();
}

std::string Digest::Sha256(std::string_view data) {
  Digest d(Kind::kSha256);
  d.Update(data);
  return d.Final();
}

}  // namespace spotrun::aws
