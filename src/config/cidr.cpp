#include "irra/config/cidr.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace irra::config {

namespace {

using Bytes = std::array<unsigned char, 16>;

// Compares the first `prefix_length` bits of two network-order byte strings.
bool prefix_matches(const unsigned char* a, const unsigned char* b, unsigned prefix_length) {
  unsigned full = prefix_length / 8;
  if (std::memcmp(a, b, full) != 0) return false;
  unsigned rest = prefix_length % 8;
  if (rest == 0) return true;
  auto mask = static_cast<unsigned char>(0xFFu << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

// Zeroes every bit after the prefix.
Bytes masked(Bytes bytes, unsigned prefix_length) {
  for (unsigned i = 0; i < bytes.size(); ++i) {
    unsigned bit = i * 8;
    if (bit >= prefix_length) {
      bytes[i] = 0;
    } else if (prefix_length - bit < 8) {
      bytes[i] &= static_cast<unsigned char>(0xFFu << (8 - (prefix_length - bit)));
    }
  }
  return bytes;
}

std::string format(const Bytes& bytes, bool is_v4) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_v4 ? AF_INET : AF_INET6, bytes.data(), text, sizeof text);
  return text;
}

void set(std::string* why, std::string message) {
  if (why) *why = std::move(message);
}

}  // namespace

std::optional<Cidr> Cidr::parse(std::string_view text, std::string* why) {
  // Bounded: the longest IPv6 text form plus "/128" is well under 64 characters.
  if (text.empty() || text.size() > 64) {
    set(why, "expected a CIDR such as \"10.0.0.0/8\" or \"::1/128\"");
    return std::nullopt;
  }
  auto slash = text.find('/');
  std::string address(text.substr(0, slash));
  Bytes bytes{};
  bool is_v4 = true;
  // inet_pton is strict: dotted-quad IPv4 only, IPv6 without a zone id.
  if (inet_pton(AF_INET, address.c_str(), bytes.data()) != 1) {
    is_v4 = false;
    if (inet_pton(AF_INET6, address.c_str(), bytes.data()) != 1) {
      set(why, "'" + address + "' is not an IPv4 or IPv6 address");
      return std::nullopt;
    }
  }
  const unsigned max_length = is_v4 ? 32 : 128;
  unsigned length = max_length;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || err != std::errc{} || end != digits.data() + digits.size() ||
        length > max_length) {
      set(why, "prefix length must be an integer from 0 to " + std::to_string(max_length));
      return std::nullopt;
    }
  }
  Bytes network = masked(bytes, length);
  if (network != bytes) {
    set(why, "host bits are set (did you mean \"" + format(network, is_v4) + "/" +
                 std::to_string(length) + "\"?)");
    return std::nullopt;
  }
  return Cidr(network, is_v4, length);
}

bool Cidr::contains_v4(const std::array<unsigned char, 4>& bytes) const {
  return is_v4_ && prefix_matches(bytes.data(), network_.data(), prefix_length_);
}

bool Cidr::contains_v6(const std::array<unsigned char, 16>& bytes) const {
  if (!is_v4_) return prefix_matches(bytes.data(), network_.data(), prefix_length_);
  static constexpr unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(bytes.data(), v4_mapped, sizeof v4_mapped) != 0) return false;
  return prefix_matches(bytes.data() + 12, network_.data(), prefix_length_);
}

std::string Cidr::to_string() const {
  return format(network_, is_v4_) + "/" + std::to_string(prefix_length_);
}

}  // namespace irra::config
