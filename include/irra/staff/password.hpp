// Staff passwords: Argon2id through libsodium (crypto_pwhash_argon2id_str: 3 passes,
// 64 MiB), stored as libsodium's self-describing "$argon2id$..." string.
// Hashing or verifying takes about a tenth of a second and 64 MiB: never on the reactor
// (staff/authenticator.hpp runs it on its own thread).
//
// Thread rule: every function is thread-safe (libsodium is initialised once, on first use).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace irra::staff {

inline constexpr unsigned long long password_opslimit = 3;
inline constexpr std::size_t password_memlimit = 64u * 1024u * 1024u;
inline constexpr std::size_t generated_password_length = 20;
inline constexpr std::size_t min_password_length = 12;

// Throws std::runtime_error when libsodium cannot (out of memory).
std::string hash_password(std::string_view password);
// True when `password` matches `hash`; false for a wrong password or a malformed hash.
bool verify_password(std::string_view hash, std::string_view password);
// 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I), libsodium's RNG.
std::string generate_password();
// A hash of a random password, computed once per process: verifying against it costs what
// verifying a real account does, so an unknown user name takes as long as a known one.
const std::string& dummy_hash();

}  // namespace irra::staff
