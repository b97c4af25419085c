#include "irra/domain/timestamp.hpp"

#include <array>
#include <cstdio>

namespace irra::domain {
namespace {

constexpr std::int64_t micros_per_day = 86'400LL * micros_per_second;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

constexpr Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

constexpr bool is_leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) {
  constexpr std::array<unsigned, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Reads exactly `count` digits at `pos`; nullopt if any is not a digit.
std::optional<unsigned> digits(std::string_view s, std::size_t pos, std::size_t count) {
  if (pos + count > s.size()) return std::nullopt;
  unsigned v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return v;
}

struct Parts {
  unsigned year, month, day, hour, minute, second;
};

std::optional<Timestamp> to_timestamp(const Parts& p, std::int64_t micros) {
  if (p.year < 1970 || p.month < 1 || p.month > 12 || p.day < 1 ||
      p.day > days_in_month(p.year, p.month) || p.hour > 23 || p.minute > 59 || p.second > 59) {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(p.year, p.month, p.day);
  return days * micros_per_day +
         (p.hour * 3600LL + p.minute * 60LL + p.second) * micros_per_second + micros;
}

// Parses "HH:MM:SS[.f{1,9}]" at `pos` up to `end`; fills the time parts and the micros.
bool parse_clock(std::string_view s, std::size_t pos, std::size_t end, Parts& p,
                 std::int64_t& micros) {
  const auto h = digits(s, pos, 2);
  const auto mi = digits(s, pos + 3, 2);
  const auto se = digits(s, pos + 6, 2);
  if (!h || !mi || !se || pos + 8 > end || s[pos + 2] != ':' || s[pos + 5] != ':') return false;
  p.hour = *h;
  p.minute = *mi;
  p.second = *se;
  micros = 0;
  std::size_t i = pos + 8;
  if (i == end) return true;
  if (s[i] != '.') return false;
  ++i;
  const std::size_t frac_start = i;
  std::int64_t scale = 100'000;
  for (; i < end; ++i) {
    if (s[i] < '0' || s[i] > '9' || i - frac_start >= 9) return false;
    micros += (s[i] - '0') * scale;
    scale /= 10;
  }
  return i > frac_start;
}

void append_clock(std::string& out, Timestamp t, int fraction_digits) {
  std::int64_t rem = t % micros_per_day;
  if (rem < 0) rem += micros_per_day;  // times before the epoch count back from midnight
  const std::int64_t secs = rem / micros_per_second;
  const std::int64_t micros = rem % micros_per_second;
  std::array<char, 32> buf{};
  int n = std::snprintf(buf.data(), buf.size(), "%02d:%02d:%02d", static_cast<int>(secs / 3600),
                        static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  out.append(buf.data(), static_cast<std::size_t>(n));
  if (fraction_digits == 6) {
    n = std::snprintf(buf.data(), buf.size(), ".%06d", static_cast<int>(micros));
  } else {
    n = std::snprintf(buf.data(), buf.size(), ".%03d", static_cast<int>(micros / 1000));
  }
  out.append(buf.data(), static_cast<std::size_t>(n));
}

Civil civil_of(Timestamp t) {
  std::int64_t days = t / micros_per_day;
  if (t % micros_per_day < 0) --days;
  return civil_from_days(days);
}

std::string format_civil(const Civil& c, bool dashes) {
  std::array<char, 32> buf{};
  const int n =
      std::snprintf(buf.data(), buf.size(), dashes ? "%04lld-%02u-%02u" : "%04lld%02u%02u",
                    static_cast<long long>(c.year), c.month, c.day);
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

}  // namespace

std::string format_iso8601(Timestamp t) {
  std::string out = format_civil(civil_of(t), true);
  out += 'T';
  append_clock(out, t, 6);
  out += 'Z';
  return out;
}

std::optional<Timestamp> parse_iso8601(std::string_view s) {
  // Longest form: 19 characters, '.', 9 digits, 'Z'.
  if (s.size() < 20 || s.size() > 30 || s.back() != 'Z') return std::nullopt;
  const auto y = digits(s, 0, 4);
  const auto mo = digits(s, 5, 2);
  const auto d = digits(s, 8, 2);
  if (!y || !mo || !d || s[4] != '-' || s[7] != '-' || s[10] != 'T') return std::nullopt;
  Parts p{*y, *mo, *d, 0, 0, 0};
  std::int64_t micros = 0;
  if (!parse_clock(s, 11, s.size() - 1, p, micros)) return std::nullopt;
  return to_timestamp(p, micros);
}

std::optional<Timestamp> parse_fix_timestamp(std::string_view s) {
  if (s.size() < 17 || s.size() > 27) return std::nullopt;
  const auto y = digits(s, 0, 4);
  const auto mo = digits(s, 4, 2);
  const auto d = digits(s, 6, 2);
  if (!y || !mo || !d || s[8] != '-') return std::nullopt;
  Parts p{*y, *mo, *d, 0, 0, 0};
  std::int64_t micros = 0;
  if (!parse_clock(s, 9, s.size(), p, micros)) return std::nullopt;
  return to_timestamp(p, micros);
}

std::string format_fix_timestamp(Timestamp t) {
  std::string out = format_civil(civil_of(t), false);
  out += '-';
  append_clock(out, t, 3);
  return out;
}

std::string format_date(Timestamp t) {
  return format_civil(civil_of(t), true);
}

std::optional<Timestamp> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  const auto y = digits(s, 0, 4);
  const auto mo = digits(s, 5, 2);
  const auto d = digits(s, 8, 2);
  if (!y || !mo || !d) return std::nullopt;
  return to_timestamp(Parts{*y, *mo, *d, 0, 0, 0}, 0);
}

}  // namespace irra::domain
