#include "irra/domain/money.hpp"

#include <limits>

namespace irra::domain {

std::optional<Paise> parse_rupees(std::string_view text) {
  bool negative = false;
  std::size_t i = 0;
  if (i < text.size() && text[i] == '-') {
    negative = true;
    ++i;
  }
  // Accumulate as a negative number so that the most negative int64 stays representable.
  constexpr Paise min = std::numeric_limits<Paise>::min();
  Paise value = 0;
  auto push_digit = [&value](char c) {
    const int d = c - '0';
    if (value < min / 10) return false;
    value *= 10;
    if (value < min + d) return false;
    value -= d;
    return true;
  };
  const std::size_t int_start = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (!push_digit(text[i])) return std::nullopt;
    ++i;
  }
  if (i == int_start) return std::nullopt;
  int decimals = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (++decimals > 2) return std::nullopt;
      if (!push_digit(text[i])) return std::nullopt;
      ++i;
    }
    if (decimals == 0) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  for (; decimals < 2; ++decimals) {
    if (!push_digit('0')) return std::nullopt;
  }
  if (negative) return value;
  if (value == min) return std::nullopt;
  return -value;
}

std::string format_rupees(Paise amount) {
  // Work on the unsigned magnitude so that the most negative value formats correctly.
  const bool negative = amount < 0;
  const std::uint64_t magnitude = negative ? std::uint64_t{0} - static_cast<std::uint64_t>(amount)
                                           : static_cast<std::uint64_t>(amount);
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / 100);
  const auto fraction = static_cast<unsigned>(magnitude % 100);
  out += '.';
  out += static_cast<char>('0' + fraction / 10);
  out += static_cast<char>('0' + fraction % 10);
  return out;
}

}  // namespace irra::domain
