// Typed, path-aware access to one JSON object of the configuration. Every failure throws
// ConfigError "<source>: <dotted.key>: <what is wrong>"; every "env:NAME" string is
// replaced by that environment variable and its key remembered for redaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace irra::config::detail {

// Shared by every Reader of one load.
struct LoadContext {
  std::string source;
  std::set<std::string> from_env;
};

// A string value as configured, after env substitution.
struct Text {
  std::string value;
  std::string path;  // its dotted key, e.g. "failover.probes[1]"
  bool from_env = false;
};

// Parses the whole document: JSON syntax errors carry line and column; duplicate keys
// and nesting deeper than 16 levels are refused too.
nlohmann::json parse_document(std::string_view text, const std::string& source);

// Throws ConfigError for `path` (empty path: the whole document).
[[noreturn]] void fail(const LoadContext& ctx, std::string_view path, std::string_view what);

class Reader {
 public:
  // `json` must outlive the Reader. Fails unless it is an object.
  Reader(const nlohmann::json& json, std::string path, LoadContext& ctx);

  // Fails on the first key not in `allowed`, suggesting the nearest allowed one.
  void allow_only(std::initializer_list<std::string_view> allowed) const;

  // A nested object; an absent key reads as an empty object.
  Reader object(std::string_view key) const;

  std::optional<Text> string(std::string_view key) const;
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min,
                                      std::int64_t max) const;
  std::optional<bool> boolean(std::string_view key) const;
  std::optional<std::vector<Text>> strings(std::string_view key, std::size_t max_items) const;

  std::string path_of(std::string_view key) const;
  LoadContext& context() const { return ctx_; }
  [[noreturn]] void fail(std::string_view key, std::string_view what) const;
  [[noreturn]] void fail_value(const Text& text, std::string_view what) const;

 private:
  const nlohmann::json* find(std::string_view key) const;
  Text substitute(const nlohmann::json& value, std::string path) const;

  const nlohmann::json& json_;
  std::string path_;
  LoadContext& ctx_;
};

}  // namespace irra::config::detail
