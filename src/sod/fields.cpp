#include "fields.hpp"

#include <algorithm>
#include <charconv>

#include "irra/domain/money.hpp"

namespace irra::sod::fields {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_alnum(char c) {
  return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

std::string invalid(std::string_view column, std::string_view text, std::string_view what) {
  std::string out(column);
  out += ": ";
  out += quote(text);
  out += ' ';
  out += what;
  return out;
}

// True for text shaped like a plain decimal ("-12", "3.5") whatever its size.
bool decimal_shape(std::string_view text, std::size_t& decimals) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  decimals = frac.size();
  if (whole.empty() || (dot != std::string_view::npos && frac.empty())) return false;
  return std::all_of(whole.begin(), whole.end(), is_digit) &&
         std::all_of(frac.begin(), frac.end(), is_digit);
}

}  // namespace

std::string quote(std::string_view text) {
  static constexpr std::size_t kMax = 64;
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMax) out += "...";
  out += '\'';
  return out;
}

std::optional<std::int64_t> integer(std::string_view column, std::string_view text,
                                    std::string& reason) {
  std::int64_t value = 0;
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc() && ptr == end && !text.empty()) return value;
  std::size_t decimals = 0;
  if (ec == std::errc::result_out_of_range) {
    reason = invalid(column, text, "is out of range");
  } else if (decimal_shape(text, decimals) && decimals > 0) {
    reason = invalid(column, text, "is not a whole number");
  } else {
    reason = invalid(column, text, "is not a number");
  }
  return std::nullopt;
}

std::optional<std::int64_t> rupees(std::string_view column, std::string_view text,
                                   std::string& reason) {
  if (const auto paise = domain::parse_rupees(text)) return paise;
  std::size_t decimals = 0;
  if (!decimal_shape(text, decimals)) {
    reason = invalid(column, text, "is not a number");
  } else if (decimals > 2) {
    reason = invalid(column, text, "has more than 2 decimals");
  } else {
    reason = invalid(column, text, "is out of range");
  }
  return std::nullopt;
}

bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

std::size_t utf8_length(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool is_code(std::string_view text, std::size_t max_len) {
  if (text.empty() || text.size() > max_len) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '&';
  });
}

bool is_exchange(std::string_view text) {
  if (text.empty() || text.size() > 16) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return is_upper(c) || is_digit(c) || c == '_'; });
}

bool is_pan(std::string_view text) {
  if (text.size() != 10) return false;
  for (std::size_t i = 0; i < 10; ++i) {
    const bool digit_place = i >= 5 && i < 9;
    if (digit_place ? !is_digit(text[i]) : !is_upper(text[i])) return false;
  }
  return true;
}

bool is_mobile(std::string_view text) {
  if (text.empty()) return true;
  if (text.front() == '+') text.remove_prefix(1);
  return text.size() >= 10 && text.size() <= 15 && std::all_of(text.begin(), text.end(), is_digit);
}

bool is_email(std::string_view text) {
  if (text.empty()) return true;
  if (text.size() > 254) return false;
  const auto at = text.find('@');
  if (at == 0 || at == std::string_view::npos || text.find('@', at + 1) != text.npos) {
    return false;
  }
  const std::string_view domain = text.substr(at + 1);
  const auto dot = domain.find('.');
  if (dot == 0 || dot == std::string_view::npos || domain.back() == '.') return false;
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

}  // namespace irra::sod::fields
