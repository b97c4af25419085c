#pragma once
// Reads typed fields out of a message, remembering the first missing or bad field so a
// decoder can read everything in sequence and report one precise error at the end.

#include <string_view>

#include "irra/fix/message.hpp"
#include "irra/fix/messages.hpp"

namespace irra::fix::detail {

class field_reader {
 public:
  explicit field_reader(const message& m) : m_(m) {}

  const decode_result& result() const { return result_; }

  std::string_view required(int tag) {
    const auto v = m_.get(tag);
    if (!v) missing(tag);
    return v.value_or(std::string_view{});
  }
  std::string_view optional(int tag) { return m_.get(tag).value_or(std::string_view{}); }

  char required_char(int tag) {
    const auto v = m_.get(tag);
    if (!v) return missing(tag), char{0};
    return as_char(tag, *v);
  }
  std::optional<char> optional_char(int tag) {
    const auto v = m_.get(tag);
    if (!v) return std::nullopt;
    return as_char(tag, *v);
  }

  template <class Parse>
  auto required_as(int tag, Parse parse) ->
      typename decltype(parse(std::string_view{}))::value_type {
    const auto v = m_.get(tag);
    if (!v) return missing(tag), typename decltype(parse(*v))::value_type{};
    const auto parsed = parse(*v);
    if (!parsed) return bad(tag), typename decltype(parse(*v))::value_type{};
    return *parsed;
  }
  template <class Parse>
  auto optional_as(int tag, Parse parse) -> decltype(parse(std::string_view{})) {
    const auto v = m_.get(tag);
    if (!v) return std::nullopt;
    auto parsed = parse(*v);
    if (!parsed) bad(tag);
    return parsed;
  }

  void missing(int tag) { set(decode_status::missing_field, tag); }
  void bad(int tag) { set(decode_status::bad_value, tag); }

 private:
  char as_char(int tag, std::string_view v) {
    if (v.size() != 1) return bad(tag), char{0};
    return v[0];
  }
  void set(decode_status s, int tag) {
    if (result_.ok()) result_ = decode_result{s, tag};
  }

  const message& m_;
  decode_result result_;
};

}  // namespace irra::fix::detail
