// Cookie header parsing and Set-Cookie building (RFC 6265). Pure functions, any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace irra::http {

// Views into the header value they were parsed from.
using Cookies = std::vector<std::pair<std::string_view, std::string_view>>;

// Appends the pairs of one Cookie header ("a=1; b=2") to out, at most max_cookies in all.
// Malformed pairs are skipped; a value in double quotes is unquoted.
void parse_cookie_header(std::string_view header, Cookies& out, std::size_t max_cookies = 64);

enum class SameSite { strict, lax, none };

struct CookieOptions {
  bool secure = true;
  bool http_only = true;
  SameSite same_site = SameSite::strict;
  std::string path = "/";
  std::string domain;                           // empty: host-only
  std::optional<std::chrono::seconds> max_age;  // nullopt: a session cookie
};

// Builds a Set-Cookie value. A "__Host-" name forces Secure, Path=/ and no Domain, and a
// "__Secure-" name forces Secure, so a caller cannot produce a cookie browsers would drop.
// Throws std::invalid_argument for a name or value with characters RFC 6265 forbids (a bug
// in the caller: values are server-made tokens).
std::string build_set_cookie(std::string_view name, std::string_view value,
                             CookieOptions options = {});

// A Set-Cookie value that deletes the cookie (empty value, Max-Age=0, same attributes).
std::string build_clear_cookie(std::string_view name, CookieOptions options = {});

}  // namespace irra::http
