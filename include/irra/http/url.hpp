// Bounded, allocation-light parsing of the parts of a request target: percent-decoding,
// the path's segments and the query string. Pure functions, safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace irra::http {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Decodes %XX escapes (and '+' as a space when plus_is_space). nullopt on a malformed
// escape or on a decoded NUL, which no path, parameter or file name may contain.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space = false);

// Splits an origin-form target ("/a/b?x=1") into its raw path and raw query.
// nullopt when the target is not origin-form (absolute-form, "*", empty, ...).
struct TargetParts {
  std::string_view path;
  std::string_view query;
};
std::optional<TargetParts> split_target(std::string_view target);

// Decodes the raw path. nullopt when an escape is malformed or decodes to '/', '\\' or NUL
// (an encoded separator would let a segment smuggle "../" past the router).
std::optional<std::string> decode_path(std::string_view raw_path);

// "a=1&b=x+y" -> {{"a","1"},{"b","x y"}}. nullopt on a malformed escape or more than
// max_params parameters.
std::optional<QueryParams> parse_query(std::string_view raw_query, std::size_t max_params = 64);

}  // namespace irra::http
