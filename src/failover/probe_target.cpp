#include "irra/failover/probe_target.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <vector>

namespace irra::failover {
namespace {

std::string base64(std::string_view in) {
  std::vector<unsigned char> out(4 * ((in.size() + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

bool valid_port(std::string_view text) {
  unsigned value = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && p == text.data() + text.size() && value >= 1 && value <= 65535;
}

}  // namespace

std::optional<ProbeTarget> parse_probe_url(std::string_view url, std::string& error) {
  ProbeTarget t;
  std::string_view rest;
  if (url.starts_with("https://")) {
    t.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    error = "expected a URL starting with http:// or https://";
    return std::nullopt;
  }
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  std::string target =
      path_at == std::string_view::npos ? std::string("/") : std::string(rest.substr(path_at));
  if (target.front() == '?') target.insert(target.begin(), '/');

  std::string redacted_userinfo;
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = userinfo.find(':');
    redacted_userinfo = std::string(userinfo.substr(0, colon)) +
                        (colon == std::string_view::npos ? "" : ":***") + "@";
    // Percent-escapes in user info are passed on as written (health endpoints rarely need
    // them); the header carries exactly "user:password".
    t.authorization = "Basic " + base64(userinfo);
  }

  std::string_view host;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "an IPv6 address needs a closing ']'";
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error = "expected ':PORT' after the IPv6 address";
        return std::nullopt;
      }
      port = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    error = "no host in the URL";
    return std::nullopt;
  }
  if (std::any_of(host.begin(), host.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '@';
      })) {
    error = "bad host in the URL";
    return std::nullopt;
  }
  const bool default_port = port.empty();
  if (!default_port && !valid_port(port)) {
    error = "port must be 1-65535";
    return std::nullopt;
  }
  t.host = std::string(host);
  t.port = default_port ? (t.tls ? "443" : "80") : std::string(port);
  const bool v6 = t.host.find(':') != std::string::npos;
  t.host_header = v6 ? "[" + t.host + "]" : t.host;
  if (!default_port) t.host_header += ":" + t.port;
  t.target = std::move(target);
  t.url = std::string(t.tls ? "https://" : "http://") + redacted_userinfo + std::string(authority) +
          t.target;
  return t;
}

}  // namespace irra::failover
