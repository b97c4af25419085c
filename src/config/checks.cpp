#include "checks.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <vector>

namespace irra::config::detail {

namespace {

bool is_control_or_space(char c) {
  auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7F;
}

// Strict: dotted-quad IPv4, or IPv6 without a zone id.
bool is_ip_address(std::string_view text) {
  std::string copy(text);
  unsigned char bytes[16];
  return inet_pton(AF_INET, copy.c_str(), bytes) == 1 ||
         inet_pton(AF_INET6, copy.c_str(), bytes) == 1;
}

}  // namespace

std::string check_host(std::string_view host) {
  if (host.empty()) return "expected a host name or IP address, got an empty string";
  if (host.size() > 253) return "host name longer than 253 characters";
  if (host.find(':') != std::string_view::npos) {
    if (is_ip_address(host)) return {};
    return "'" + printable(host) + "' is not a valid IPv6 address";
  }
  // RFC 1123 host names: letters, digits, '-' and '.'; an IPv4 address fits the same set.
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.';
    if (!ok) return "'" + printable(host) + "' is not a valid host name or IP address";
  }
  if (host.front() == '-' || host.front() == '.' || host.back() == '-' ||
      host.find("..") != std::string_view::npos) {
    return "'" + printable(host) + "' is not a valid host name or IP address";
  }
  // All digits and dots must then be a real IPv4 address ("300.1.1.1" is not).
  bool numeric = std::all_of(host.begin(), host.end(),
                             [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (numeric && !is_ip_address(host)) {
    return "'" + printable(host) + "' is not a valid IPv4 address";
  }
  return {};
}

std::string parse_endpoint(std::string_view text, Endpoint& out) {
  const std::string expected =
      "expected \"host:port\" or \"[ipv6]:port\", got \"" + printable(text) + "\"";
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return expected;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    if (host.find(':') == std::string_view::npos || !check_host(host).empty()) {
      return "'" + printable(host) + "' is not a valid IPv6 address";
    }
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return expected;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return "an IPv6 address must be in brackets, as in \"[::1]:8443\"";
    }
    if (auto why = check_host(host); !why.empty()) return why;
  }
  unsigned value = 0;
  auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || err != std::errc{} || end != port.data() + port.size() || value < 1 ||
      value > 65535) {
    return "port must be an integer from 1 to 65535, got \"" + printable(port) + "\"";
  }
  out.host = std::string(host);
  out.port = static_cast<std::uint16_t>(value);
  return {};
}

std::string check_comp_id(std::string_view id) {
  if (id.empty()) return "a CompID must not be empty";
  if (id.size() > 64) return "a CompID must be at most 64 characters";
  for (char c : id) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7E || c == '=') {
      return "a CompID must be printable ASCII without spaces or '=', got \"" + printable(id) +
             "\"";
    }
  }
  return {};
}

std::string check_url(std::string_view url, std::initializer_list<std::string_view> schemes) {
  std::string list;
  for (auto scheme : schemes) {
    if (!list.empty()) list += " or ";
    list += scheme;
    if (url.substr(0, scheme.size()) == scheme) {
      if (url.size() == scheme.size()) return "nothing after '" + std::string(scheme) + "'";
      if (url.size() > 2048) return "URL longer than 2048 characters";
      if (std::any_of(url.begin(), url.end(), is_control_or_space)) {
        return "a URL must not contain spaces or control characters";
      }
      return {};
    }
  }
  return "expected a URL starting with " + list + ", got \"" + printable(redact_url(url)) + "\"";
}

std::string check_path(std::string_view path) {
  if (path.empty()) return "expected a path, got an empty string";
  if (path.size() > 4096) return "path longer than 4096 characters";
  for (char c : path) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return "a path must not contain control characters";
  }
  return {};
}

std::string redact_url(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  auto authority_begin = scheme_end + 3;
  auto authority_end = url.find_first_of("/?#", authority_begin);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  // The last '@' of the authority ends the user info (a password may itself contain '@').
  auto at = url.rfind('@', authority_end);
  if (at == std::string_view::npos || at < authority_begin) return std::string(url);
  auto colon = url.find(':', authority_begin);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::string printable(std::string_view text, std::size_t limit) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (char c : text) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) {
      out += c;
    } else {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 0xF];
    }
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace irra::config::detail
