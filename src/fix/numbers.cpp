#include "irra/fix/numbers.hpp"

#include <charconv>
#include <limits>

namespace irra::fix {
namespace {

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view v) {
  for (char c : v) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// Two ASCII digits at p, already checked to be digits.
int two(const char* p) {
  return (p[0] - '0') * 10 + (p[1] - '0');
}

}  // namespace

std::optional<std::uint64_t> parse_uint(std::string_view v) noexcept {
  if (v.empty()) return std::nullopt;
  // Up to 19 digits cannot overflow 64 bits: one pass, no from_chars call (hot path:
  // sequence numbers and quantities).
  if (v.size() <= 19) {
    std::uint64_t out = 0;
    for (char c : v) {
      if (!is_digit(c)) return std::nullopt;
      out = out * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return out;
  }
  // from_chars alone would accept a prefix; require the whole value to be digits.
  if (!all_digits(v)) return std::nullopt;
  std::uint64_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc{} || ptr != v.data() + v.size()) return std::nullopt;
  return out;
}

std::optional<std::int64_t> parse_int(std::string_view v) noexcept {
  std::string_view digits = v;
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  if (digits.empty() || !all_digits(digits)) return std::nullopt;
  std::int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc{} || ptr != v.data() + v.size()) return std::nullopt;
  return out;
}

namespace {

// The digits of a decimal "W[.F]" in one pass: W must be non-empty; F, when the point is
// present, must be non-empty; every character is checked. `whole` is exact (overflow
// reported), `frac2` holds the first two fractional digits, and `finer` tells whether a
// non-zero digit follows them.
struct decimal_parts {
  std::uint64_t whole = 0;
  unsigned frac2 = 0;
  unsigned third = 0;  // the third fractional digit, for rounding
  bool finer = false;
};

bool split_decimal(std::string_view v, decimal_parts& d) noexcept {
  std::size_t i = 0;
  const std::size_t n = v.size();
  for (; i < n && is_digit(v[i]); ++i) {
    if (__builtin_mul_overflow(d.whole, 10u, &d.whole) ||
        __builtin_add_overflow(d.whole, static_cast<unsigned>(v[i] - '0'), &d.whole)) {
      return false;
    }
  }
  if (i == 0) return false;
  if (i == n) return true;
  if (v[i] != '.' || i + 1 == n) return false;
  for (std::size_t k = 0, j = i + 1; j < n; ++j, ++k) {
    if (!is_digit(v[j])) return false;
    if (k < 2) {
      d.frac2 = d.frac2 * 10 + static_cast<unsigned>(v[j] - '0');
    } else {
      if (k == 2) d.third = static_cast<unsigned>(v[j] - '0');
      if (v[j] != '0') d.finer = true;
    }
    if (k == 0 && j + 1 == n) d.frac2 *= 10;  // one fractional digit: tenths
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_price_paise(std::string_view v) noexcept {
  const bool negative = !v.empty() && v.front() == '-';
  if (negative) v.remove_prefix(1);
  decimal_parts d;
  if (!split_decimal(v, d) || d.finer) return std::nullopt;  // finer than a paisa
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (d.whole > (max - d.frac2) / 100) return std::nullopt;
  const auto total = static_cast<std::int64_t>(d.whole * 100 + d.frac2);
  return negative ? -total : total;
}

std::optional<std::int64_t> parse_price_paise_rounded(std::string_view v) noexcept {
  const bool negative = !v.empty() && v.front() == '-';
  if (negative) v.remove_prefix(1);
  decimal_parts d;
  if (!split_decimal(v, d)) return std::nullopt;
  const unsigned paise = d.frac2 + (d.third >= 5 ? 1u : 0u);  // half away from zero
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (d.whole > (max - paise) / 100) return std::nullopt;
  const auto total = static_cast<std::int64_t>(d.whole * 100 + paise);
  return negative ? -total : total;
}

std::optional<std::int64_t> parse_qty(std::string_view v) noexcept {
  decimal_parts d;
  if (!split_decimal(v, d) || d.frac2 != 0 || d.finer) return std::nullopt;
  if (d.whole > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(d.whole);
}

std::optional<utc_timestamp> parse_utc_timestamp(std::string_view v) noexcept {
  // YYYYMMDD-HH:MM:SS is 17 characters; then optionally '.' and 3, 6 or 9 digits.
  if (v.size() != 17 && v.size() != 21 && v.size() != 24 && v.size() != 27) return std::nullopt;
  const char* p = v.data();
  if (p[8] != '-' || p[11] != ':' || p[14] != ':') return std::nullopt;
  if (!all_digits(v.substr(0, 8)) || !all_digits(v.substr(9, 2)) || !all_digits(v.substr(12, 2)) ||
      !all_digits(v.substr(15, 2))) {
    return std::nullopt;
  }
  std::int64_t nanos = 0;
  if (v.size() > 17) {
    if (p[17] != '.') return std::nullopt;
    const std::string_view frac = v.substr(18);
    if (!all_digits(frac)) return std::nullopt;
    for (char c : frac) nanos = nanos * 10 + (c - '0');
    for (std::size_t i = frac.size(); i < 9; ++i) nanos *= 10;
  }
  const int year = two(p) * 100 + two(p + 2);
  const unsigned month = static_cast<unsigned>(two(p + 4));
  const unsigned day = static_cast<unsigned>(two(p + 6));
  const int hour = two(p + 9), minute = two(p + 12), second = two(p + 15);
  // 60 is a leap second, which FIX allows.
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                        std::chrono::day{day}};
  if (!ymd.ok()) return std::nullopt;
  using namespace std::chrono;
  return utc_timestamp{sys_days{ymd}.time_since_epoch() + hours{hour} + minutes{minute} +
                       seconds{second} + nanoseconds{nanos}};
}

std::optional<bool> parse_bool(std::string_view v) noexcept {
  if (v == "Y") return true;
  if (v == "N") return false;
  return std::nullopt;
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ptr);
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ptr);
}

void append_price(std::string& out, std::int64_t paise) {
  // Work in unsigned so INT64_MIN does not overflow on negation.
  std::uint64_t mag =
      paise < 0 ? 0 - static_cast<std::uint64_t>(paise) : static_cast<std::uint64_t>(paise);
  if (paise < 0) out.push_back('-');
  append_uint(out, mag / 100);
  const auto frac = static_cast<unsigned>(mag % 100);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + frac / 10));
  out.push_back(static_cast<char>('0' + frac % 10));
}

void append_utc_timestamp(std::string& out, utc_timestamp t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  char buf[21];
  auto put = [&buf](int pos, unsigned value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      buf[pos + i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  put(4, static_cast<unsigned>(ymd.month()), 2);
  put(6, static_cast<unsigned>(ymd.day()), 2);
  buf[8] = '-';
  put(9, static_cast<unsigned>(hms.hours().count()), 2);
  buf[11] = ':';
  put(12, static_cast<unsigned>(hms.minutes().count()), 2);
  buf[14] = ':';
  put(15, static_cast<unsigned>(hms.seconds().count()), 2);
  buf[17] = '.';
  put(18, static_cast<unsigned>(hms.subseconds().count()), 3);
  out.append(buf, sizeof buf);
}

}  // namespace irra::fix
