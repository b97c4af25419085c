#include "secret.hpp"

#include <sodium.h>

#include <stdexcept>

namespace irra::web::secret {

void init() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

Key random_key() {
  Key k{};
  randombytes_buf(k.data(), k.size());
  return k;
}

std::string random_token() {
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  char out[sodium_base64_ENCODED_LEN(sizeof raw, variant)];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, variant);
  sodium_memzero(raw, sizeof raw);
  return std::string(out);
}

Key keyed_hash(const Key& key, std::initializer_list<std::string_view> parts) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, key.data(), key.size(), crypto_generichash_BYTES);
  for (const auto part : parts) {
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(part.data()),
                              part.size());
  }
  Key out{};
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

bool equal(const Key& a, const Key& b) {
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_digits(int digits) {
  std::string out;
  for (int i = 0; i < digits; ++i) out += static_cast<char>('0' + randombytes_uniform(10));
  return out;
}

}  // namespace irra::web::secret
