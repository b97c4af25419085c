// Appending CSV fields to a row buffer without allocating: integers, paise printed as
// rupees with two decimals, and text with RFC 4180 quoting when it needs it.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace irra::tools {

inline void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

// 245005 -> "2450.05"; -5 -> "-0.05". Prices in the dump are rupees, never floating point.
inline void append_paise(std::string& out, std::int64_t paise) {
  if (paise < 0) {
    out.push_back('-');
    paise = -paise;
  }
  append_int(out, paise / 100);
  const auto frac = static_cast<char>(paise % 100);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + frac / 10));
  out.push_back(static_cast<char>('0' + frac % 10));
}

// Quotes only when the text holds a comma, a quote or a line break; quotes are doubled.
inline void append_text(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(text);
    return;
  }
  out.push_back('"');
  for (const char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace irra::tools
