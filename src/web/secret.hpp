// libsodium helpers for the web module: random tokens and keyed hashes.
// Thread rule: all functions are thread-safe (libsodium's RNG is).
#pragma once

#include <array>
#include <initializer_list>
#include <string>
#include <string_view>

namespace irra::web::secret {

using Key = std::array<unsigned char, 32>;

void init();  // sodium_init(); throws std::runtime_error on failure
Key random_key();
// 128 random bits, base64url without padding (22 characters).
std::string random_token();
// BLAKE2b-256 of the parts in order, keyed. Callers keep the parts unambiguous (fixed lengths
// or distinct keys), since the parts are simply concatenated.
Key keyed_hash(const Key& key, std::initializer_list<std::string_view> parts);
// The key's bytes as a string (a map key).
inline std::string as_string(const Key& k) {
  return std::string(reinterpret_cast<const char*>(k.data()), k.size());
}
// Constant-time equality of two equal-length buffers.
bool equal(const Key& a, const Key& b);
bool equal(std::string_view a, std::string_view b);  // false at once when lengths differ
// A decimal number of `digits` digits, uniform (randombytes_uniform).
std::string random_digits(int digits);

}  // namespace irra::web::secret
