// Incremental SHA-256 over OpenSSL's EVP interface, for the dump checksums.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace irra::sod {

class Sha256 {
 public:
  // Throws std::runtime_error if OpenSSL cannot set up the digest (a broken install).
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t n);
  // Lowercase hex of the digest; the object cannot be updated afterwards.
  std::string final_hex();

  static std::string of(std::string_view bytes);

 private:
  evp_md_ctx_st* ctx_;
  bool finished_ = false;
};

}  // namespace irra::sod
