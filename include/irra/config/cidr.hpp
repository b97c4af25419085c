// An IPv4 or IPv6 network ("10.0.0.0/8", "::1/128") for admin.allow_from.
// Immutable value type: safe to share between threads once built.
#pragma once

#include <array>
#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace irra::config {

class Cidr {
 public:
  // Accepts "ADDRESS/PREFIX" or a bare address (a single host). Host bits set below the
  // prefix ("10.0.0.1/8") are refused: such a typo would silently widen or narrow access.
  // Returns nullopt on any error and, when `why` is given, says what is wrong.
  static std::optional<Cidr> parse(std::string_view text, std::string* why = nullptr);

  // An IPv4-mapped IPv6 address (::ffff:10.1.2.3, what a dual-stack listener reports for
  // an IPv4 client) is matched against IPv4 networks as the IPv4 address it carries.
  // Inline so that this library needs none of Boost.Asio's compiled parts (the project
  // builds Asio separately, in irra_asio, which every caller with an address links).
  bool contains(const boost::asio::ip::address& address) const {
    if (address.is_v4()) return contains_v4(address.to_v4().to_bytes());
    return contains_v6(address.to_v6().to_bytes());
  }
  bool contains_v4(const std::array<unsigned char, 4>& bytes) const;
  bool contains_v6(const std::array<unsigned char, 16>& bytes) const;

  bool is_v4() const { return is_v4_; }
  unsigned prefix_length() const { return prefix_length_; }
  std::string to_string() const;  // canonical "network/prefix"

 private:
  Cidr(const std::array<unsigned char, 16>& network, bool is_v4, unsigned prefix_length)
      : network_(network), is_v4_(is_v4), prefix_length_(prefix_length) {}

  std::array<unsigned char, 16> network_{};  // IPv4 in the first 4 bytes
  bool is_v4_ = true;
  unsigned prefix_length_ = 0;
};

}  // namespace irra::config
