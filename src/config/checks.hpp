// Syntax checks of single configuration values. Each returns an empty string when the
// value is acceptable, otherwise what is wrong (the loader prefixes source and key).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "irra/config/config.hpp"

namespace irra::config::detail {

// "host:port" or "[v6]:port"; fills `out` on success.
std::string parse_endpoint(std::string_view text, Endpoint& out);

// A DNS name or an IP address (IPv6 without brackets).
std::string check_host(std::string_view host);

// Non-empty printable ASCII without spaces or '=' (SOH is not printable), at most 64 bytes.
std::string check_comp_id(std::string_view id);

// `url` starts with one of the schemes (e.g. "https://") and has something after it,
// without spaces or control characters.
std::string check_url(std::string_view url, std::initializer_list<std::string_view> schemes);

// A file-system path: non-empty, without control characters.
std::string check_path(std::string_view path);

// The URL with the password of any "user:password@" part replaced by "***".
std::string redact_url(std::string_view url);

// Printable, bounded rendering of arbitrary bytes for an error message.
std::string printable(std::string_view text, std::size_t limit = 80);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace irra::config::detail
