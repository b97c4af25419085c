#include "reader.hpp"

#include <cstdlib>
#include <vector>

#include "checks.hpp"
#include "irra/config/config_error.hpp"

namespace irra::config::detail {

namespace {

using nlohmann::json;

constexpr std::size_t max_depth = 16;

// What a wrong value was, for "expected X, got Y". Strings are shown (bounded, printable)
// because a wrongly typed value is rarely a secret; env-derived values never reach here.
std::string describe(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case json::value_t::string:
      return "the string \"" + printable(value.get<std::string>()) + "\"";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return printable(value.dump(), 40);
    default:
      return "an unsupported value";
  }
}

bool valid_env_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Tracks where the parser is, so that a duplicate key can be reported by its path.
struct Frame {
  bool is_array = false;
  std::string path;
  std::size_t next_index = 0;
  std::set<std::string> keys;
  std::string last_key;
};

std::string child_path(const std::vector<Frame>& stack) {
  if (stack.empty()) return {};
  const Frame& top = stack.back();
  if (top.is_array) return top.path + "[" + std::to_string(top.next_index) + "]";
  return top.path.empty() ? top.last_key : top.path + "." + top.last_key;
}

void element_done(std::vector<Frame>& stack) {
  if (!stack.empty() && stack.back().is_array) ++stack.back().next_index;
}

}  // namespace

void fail(const LoadContext& ctx, std::string_view path, std::string_view what) {
  std::string line = ctx.source + ": ";
  if (!path.empty()) line += std::string(path) + ": ";
  line += what;
  // One line, always: a message never carries raw control bytes.
  throw ConfigError(printable(line, 400));
}

json parse_document(std::string_view text, const std::string& source) {
  LoadContext ctx{source, {}};
  std::vector<Frame> stack;
  auto callback = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start: {
        if (stack.size() >= max_depth) {
          fail(ctx, child_path(stack),
               "nested deeper than " + std::to_string(max_depth) + " levels");
        }
        Frame frame;
        frame.is_array = event == json::parse_event_t::array_start;
        frame.path = child_path(stack);
        stack.push_back(std::move(frame));
        break;
      }
      case json::parse_event_t::key: {
        Frame& top = stack.back();
        top.last_key = parsed.get<std::string>();
        if (!top.keys.insert(top.last_key).second) fail(ctx, child_path(stack), "duplicate key");
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        stack.pop_back();
        element_done(stack);
        break;
      case json::parse_event_t::value:
        element_done(stack);
        break;
    }
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), callback);
  } catch (const json::parse_error& e) {
    // Line and column of the offending byte (e.byte counts from 1).
    std::size_t at = e.byte == 0 ? 0 : std::min<std::size_t>(e.byte - 1, text.size());
    std::size_t line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < at; ++i) {
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    std::string what = e.what();
    // Drop nlohmann's "[json.exception...] parse error at line L, column C: " prefix.
    if (auto column = what.find("column "); column != std::string::npos) {
      if (auto colon = what.find(": ", column); colon != std::string::npos) {
        what = what.substr(colon + 2);
      }
    }
    fail(ctx, {},
         "line " + std::to_string(line) + ", column " + std::to_string(at - line_start + 1) +
             ": invalid JSON: " + what);
  } catch (const json::exception& e) {
    // E.g. out_of_range 406, "number overflow parsing '1e999'": no position is known.
    std::string what = e.what();
    if (auto bracket = what.find("] "); bracket != std::string::npos) what.erase(0, bracket + 2);
    fail(ctx, {}, "invalid JSON: " + what);
  }
}

Reader::Reader(const json& json, std::string path, LoadContext& ctx)
    : json_(json), path_(std::move(path)), ctx_(ctx) {
  if (!json_.is_object()) {
    detail::fail(ctx_, path_, "expected an object, got " + describe(json_));
  }
}

std::string Reader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void Reader::fail(std::string_view key, std::string_view what) const {
  detail::fail(ctx_, path_of(key), what);
}

void Reader::fail_value(const Text& text, std::string_view what) const {
  detail::fail(ctx_, text.path,
               text.from_env ? std::string(what) + " (value taken from the environment)"
                             : std::string(what));
}

void Reader::allow_only(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [key, value] : json_.items()) {
    bool known = false;
    std::string_view best;
    std::size_t best_distance = 3;  // suggest only close misspellings
    for (auto name : allowed) {
      if (name == key) {
        known = true;
        break;
      }
      auto distance = edit_distance(key, name);
      if (distance < best_distance && distance < name.size()) {
        best_distance = distance;
        best = name;
      }
    }
    if (known) continue;
    std::string what = "unknown key";
    if (!best.empty()) what += " (did you mean '" + path_of(best) + "'?)";
    fail(key, what);
  }
}

const json* Reader::find(std::string_view key) const {
  auto it = json_.find(key);
  return it == json_.end() ? nullptr : &*it;
}

Reader Reader::object(std::string_view key) const {
  static const json empty = json::object();
  const json* value = find(key);
  return Reader(value ? *value : empty, path_of(key), ctx_);
}

Text Reader::substitute(const json& value, std::string path) const {
  if (!value.is_string()) detail::fail(ctx_, path, "expected a string, got " + describe(value));
  const auto& raw = value.get_ref<const std::string&>();
  constexpr std::string_view prefix = "env:";
  if (raw.compare(0, prefix.size(), prefix) != 0) return Text{raw, std::move(path), false};
  std::string name = raw.substr(prefix.size());
  if (!valid_env_name(name)) {
    detail::fail(ctx_, path, "'" + printable(name) + "' is not a valid environment variable name");
  }
  const char* env = std::getenv(name.c_str());
  if (env == nullptr) detail::fail(ctx_, path, "environment variable " + name + " is not set");
  ctx_.from_env.insert(path);
  return Text{env, std::move(path), true};
}

std::optional<Text> Reader::string(std::string_view key) const {
  const json* value = find(key);
  if (!value) return std::nullopt;
  return substitute(*value, path_of(key));
}

std::optional<std::int64_t> Reader::integer(std::string_view key, std::int64_t min,
                                            std::int64_t max) const {
  const json* value = find(key);
  if (!value) return std::nullopt;
  std::string expected =
      "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (value->is_number_integer()) {
    // Unsigned values above INT64_MAX are out of range whatever the bounds.
    if (value->is_number_unsigned() &&
        value->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
      fail(key, expected + ", got " + describe(*value));
    }
    auto number = value->get<std::int64_t>();
    if (number >= min && number <= max) return number;
  }
  fail(key, expected + ", got " + describe(*value));
}

std::optional<bool> Reader::boolean(std::string_view key) const {
  const json* value = find(key);
  if (!value) return std::nullopt;
  if (!value->is_boolean()) fail(key, "expected true or false, got " + describe(*value));
  return value->get<bool>();
}

std::optional<std::vector<Text>> Reader::strings(std::string_view key,
                                                 std::size_t max_items) const {
  const json* value = find(key);
  if (!value) return std::nullopt;
  if (!value->is_array()) fail(key, "expected an array of strings, got " + describe(*value));
  if (value->size() > max_items) {
    fail(key, "at most " + std::to_string(max_items) + " entries are allowed");
  }
  std::vector<Text> out;
  for (std::size_t i = 0; i < value->size(); ++i) {
    out.push_back(substitute((*value)[i], path_of(key) + "[" + std::to_string(i) + "]"));
  }
  return out;
}

}  // namespace irra::config::detail
