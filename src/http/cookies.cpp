#include "irra/http/cookies.hpp"

#include <stdexcept>

namespace irra::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 6265 cookie-name is an RFC 7230 token.
constexpr std::string_view separators = "()<>@,;:\\\"/[]?={}";

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (separators.find(c) != std::string_view::npos) return false;
  }
  return true;
}

// RFC 6265 cookie-octet.
bool is_cookie_value(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\') return false;
  }
  return true;
}

bool is_attribute_value(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e || c == ';') return false;
  }
  return true;
}

void enforce_prefix_rules(std::string_view name, CookieOptions& options) {
  if (name.starts_with("__Host-")) {
    options.secure = true;
    options.path.assign(1, '/');  // (not = "/": GCC 12 -Wrestrict false positive)
    options.domain.clear();
  } else if (name.starts_with("__Secure-")) {
    options.secure = true;
  }
}

}  // namespace

void parse_cookie_header(std::string_view header, Cookies& out, std::size_t max_cookies) {
  while (!header.empty() && out.size() < max_cookies) {
    const auto semi = header.find(';');
    const std::string_view pair = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = trim(pair.substr(0, eq));
    std::string_view value = trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!is_token(name) || !is_cookie_value(value)) continue;
    out.emplace_back(name, value);
  }
}

std::string build_set_cookie(std::string_view name, std::string_view value, CookieOptions options) {
  if (!is_token(name)) throw std::invalid_argument("invalid cookie name");
  if (!is_cookie_value(value)) throw std::invalid_argument("invalid cookie value");
  enforce_prefix_rules(name, options);
  if (!is_attribute_value(options.path) || !is_attribute_value(options.domain)) {
    throw std::invalid_argument("invalid cookie attribute");
  }
  std::string out;
  out.reserve(name.size() + value.size() + 96);
  out.append(name).append("=").append(value);
  if (!options.path.empty()) out.append("; Path=").append(options.path);
  if (!options.domain.empty()) out.append("; Domain=").append(options.domain);
  if (options.max_age) out.append("; Max-Age=").append(std::to_string(options.max_age->count()));
  if (options.secure) out.append("; Secure");
  if (options.http_only) out.append("; HttpOnly");
  switch (options.same_site) {
    case SameSite::strict:
      out.append("; SameSite=Strict");
      break;
    case SameSite::lax:
      out.append("; SameSite=Lax");
      break;
    case SameSite::none:
      out.append("; SameSite=None");
      break;
  }
  return out;
}

std::string build_clear_cookie(std::string_view name, CookieOptions options) {
  options.max_age = std::chrono::seconds{0};
  return build_set_cookie(name, "", std::move(options));
}

}  // namespace irra::http
