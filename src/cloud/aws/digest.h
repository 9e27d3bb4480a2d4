// Incremental MD5 and SHA-256 (OpenSSL EVP) for the S3 client: whole files are
// hashed while they stream through in parts, never held in memory at once.
// MD5 is used only where S3 speaks it (Content-MD5, ETags), never for trust.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace spotrun::aws {

class Digest {
 public:
  enum class Kind { kMd5, kSha256 };
  explicit Digest(Kind kind);
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void Update(std::string_view data);
  // The raw digest of everything given to Update so far. Ends the digest:
  // REQUIRES: called once, and Update not called after it.
  std::string Final();

  // One-shot helpers.
  static std::string Md5(std::string_view data);     // Raw 16 bytes.
  static std::string Sha256(std::string_view data);  // Raw 32 bytes.

 private:
  evp_md_ctx_st* ctx_;
};

}  // namespace spotrun::aws
