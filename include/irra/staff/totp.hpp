// Time-based one-time passwords for staff login (RFC 6238 through liboath: HMAC-SHA-1,
// 6 digits, 30-second steps from the Unix epoch). Secrets are 160 random bits written in
// base32 (RFC 4648, no padding), the form authenticator apps take.
//
// Thread rule: every function is thread-safe (liboath is initialised once, on first use).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace irra::staff {

inline constexpr std::int64_t totp_period = 30;
inline constexpr int totp_digits = 6;

// 160 random bits (libsodium's RNG), base32 without padding: 32 characters.
std::string new_totp_secret();

// The code for the time step holding `unix_time`; nullopt for a secret that is not base32.
std::optional<std::string> totp_code(std::string_view secret_base32, std::int64_t unix_time);

// The time step (unix_time / 30, or one either side) whose code is `code`, only when that
// step is later than `last_step` (the last one accepted: each code works once). nullopt
// for a wrong, reused or malformed code or a malformed secret. Comparisons are
// constant-time.
std::optional<std::int64_t> totp_match(std::string_view secret_base32, std::string_view code,
                                       std::int64_t unix_time, std::int64_t last_step);

// otpauth://totp/ISSUER:USER?secret=S&issuer=ISSUER&algorithm=SHA1&digits=6&period=30,
// each part percent-encoded (RFC 3986 unreserved characters kept).
std::string provisioning_uri(std::string_view user, std::string_view secret,
                             std::string_view issuer = "IRRA");

// `text` as a QR code (error correction M) drawn with Unicode half blocks, two module rows
// per line, light modules as blocks (for a dark terminal) and a quiet zone around it.
// Throws std::runtime_error when the text does not fit a QR code.
std::string qr_terminal(std::string_view text);

}  // namespace irra::staff
