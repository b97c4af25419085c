#include "irra/staff/totp.hpp"

#include <liboath/oath.h>
#include <qrencode.h>
#include <sodium.h>

#include <array>
#include <memory>
#include <stdexcept>

#include "sodium_init.hpp"

namespace irra::staff {
namespace {

constexpr std::string_view base32_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t secret_bytes = 20;  // 160 bits, RFC 4226's recommendation

void ensure_oath() {
  static const bool ok = oath_init() == OATH_OK;
  if (!ok) throw std::runtime_error("liboath failed to initialise");
}

std::string base32_encode(const unsigned char* data, std::size_t size) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < size; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out += base32_alphabet[(buffer >> (bits - 5)) & 31u];
      bits -= 5;
    }
  }
  if (bits > 0) out += base32_alphabet[(buffer << (5 - bits)) & 31u];
  return out;
}

// RFC 4648 base32, case-insensitive, trailing '=' allowed; nullopt for anything else.
std::optional<std::string> base32_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    const auto v = base32_alphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<unsigned>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xffu);
      bits -= 8;
    }
  }
  return out;
}

std::int64_t step_of(std::int64_t unix_time) {
  return unix_time >= 0 ? unix_time / totp_period : -((-unix_time + totp_period - 1) / totp_period);
}

std::optional<std::string> code_for_step(const std::string& key, std::int64_t step) {
  ensure_oath();
  std::array<char, totp_digits + 1> out{};
  if (oath_totp_generate(key.data(), key.size(), static_cast<time_t>(step * totp_period),
                         static_cast<unsigned>(totp_period), 0, totp_digits,
                         out.data()) != OATH_OK) {
    return std::nullopt;
  }
  return std::string(out.data(), totp_digits);
}

bool is_code_shaped(std::string_view code) {
  if (code.size() != static_cast<std::size_t>(totp_digits)) return false;
  for (const char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void percent_encode(std::string_view text, std::string& out) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
}

}  // namespace

std::string new_totp_secret() {
  detail::ensure_sodium();
  std::array<unsigned char, secret_bytes> raw{};
  randombytes_buf(raw.data(), raw.size());
  auto out = base32_encode(raw.data(), raw.size());
  sodium_memzero(raw.data(), raw.size());
  return out;
}

std::optional<std::string> totp_code(std::string_view secret_base32, std::int64_t unix_time) {
  const auto key = base32_decode(secret_base32);
  if (!key || key->empty()) return std::nullopt;
  return code_for_step(*key, step_of(unix_time));
}

std::optional<std::int64_t> totp_match(std::string_view secret_base32, std::string_view code,
                                       std::int64_t unix_time, std::int64_t last_step) {
  const auto key = base32_decode(secret_base32);
  if (!key || key->empty()) return std::nullopt;
  detail::ensure_sodium();
  const bool shaped = is_code_shaped(code);
  const std::string given = shaped ? std::string(code) : std::string(totp_digits, 'x');
  const std::int64_t now_step = step_of(unix_time);
  std::optional<std::int64_t> matched;
  // All three steps are computed and compared whatever matches, so timing tells nothing.
  for (std::int64_t step = now_step - 1; step <= now_step + 1; ++step) {
    const auto expected = code_for_step(*key, step);
    if (!expected) return std::nullopt;
    const bool same = sodium_memcmp(expected->data(), given.data(), given.size()) == 0;
    if (same && shaped && step > last_step) matched = step;
  }
  return matched;
}

std::string provisioning_uri(std::string_view user, std::string_view secret,
                             std::string_view issuer) {
  std::string out = "otpauth://totp/";
  percent_encode(issuer, out);
  out += ':';
  percent_encode(user, out);
  out += "?secret=";
  percent_encode(secret, out);
  out += "&issuer=";
  percent_encode(issuer, out);
  out += "&algorithm=SHA1&digits=6&period=30";
  return out;
}

std::string qr_terminal(std::string_view text) {
  constexpr int quiet = 2;  // modules of light border on each side
  const std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
      QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!qr) throw std::runtime_error("text too long for a QR code");
  const int width = qr->width;
  const auto dark = [&](int row, int col) {
    if (row < 0 || col < 0 || row >= width || col >= width) return false;
    return (qr->data[row * width + col] & 1) != 0;
  };
  // Two module rows per line: upper half block = only the upper module is light, and so on.
  std::string out;
  for (int row = -quiet; row < width + quiet; row += 2) {
    for (int col = -quiet; col < width + quiet; ++col) {
      const bool top_light = !dark(row, col);
      const bool bottom_light = row + 1 < width + quiet && !dark(row + 1, col);
      if (top_light && bottom_light) {
        out += "\u2588";
      } else if (top_light) {
        out += "\u2580";
      } else if (bottom_light) {
        out += "\u2584";
      } else {
        out += ' ';
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace irra::staff
