#include "irra/staff/password.hpp"

#include <sodium.h>

#include <cstdint>
#include <stdexcept>

#include "sodium_init.hpp"

namespace irra::staff {
namespace detail {

void ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace detail

namespace {

// No 0/O/o, 1/l/I/i: read aloud or copied by hand without mistakes.
constexpr std::string_view alphabet = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";

}  // namespace

std::string hash_password(std::string_view password) {
  detail::ensure_sodium();
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), password_opslimit,
                                 password_memlimit) != 0) {
    throw std::runtime_error("password hashing failed (out of memory)");
  }
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  detail::ensure_sodium();
  // libsodium reads a NUL-terminated string of less than STRBYTES.
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES ||
      hash.find('\0') != std::string_view::npos) {
    return false;
  }
  const std::string text(hash);
  return crypto_pwhash_str_verify(text.c_str(), password.data(), password.size()) == 0;
}

std::string generate_password() {
  detail::ensure_sodium();
  std::string out;
  out.reserve(generated_password_length);
  for (std::size_t i = 0; i < generated_password_length; ++i) {
    out += alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))];
  }
  return out;
}

const std::string& dummy_hash() {
  static const std::string hash = hash_password(generate_password());
  return hash;
}

}  // namespace irra::staff
