#include "irra/fix/numbers.hpp"

#include <catch2/catch.hpp>
#include <limits>

using namespace irra::fix;

TEST_CASE("integers parse only when every character is a digit and the value fits") {
  CHECK(parse_uint("0") == 0u);
  CHECK(parse_uint("18446744073709551615") == std::numeric_limits<std::uint64_t>::max());
  CHECK_FALSE(parse_uint("18446744073709551616"));
  CHECK_FALSE(parse_uint(""));
  CHECK_FALSE(parse_uint("12a"));
  CHECK_FALSE(parse_uint(" 12"));
  CHECK_FALSE(parse_uint("+12"));
  CHECK_FALSE(parse_uint("-1"));
  CHECK(parse_int("-42") == -42);
  CHECK(parse_int("9223372036854775807") == std::numeric_limits<std::int64_t>::max());
  CHECK_FALSE(parse_int("9223372036854775808"));
  CHECK_FALSE(parse_int("-"));
  CHECK_FALSE(parse_int("--1"));
  CHECK_FALSE(parse_int("1.0"));
}

TEST_CASE("prices in decimal rupees become whole paise") {
  CHECK(parse_price_paise("2450.05") == 245005);
  CHECK(parse_price_paise("2450") == 245000);
  CHECK(parse_price_paise("2450.5") == 245050);
  CHECK(parse_price_paise("0.05") == 5);
  CHECK(parse_price_paise("-1.25") == -125);
  CHECK(parse_price_paise("2450.050000") == 245005);
  CHECK(parse_price_paise("92233720368547758.07") == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("a price finer than a paisa or oddly written is rejected") {
  CHECK_FALSE(parse_price_paise("2450.051"));
  CHECK_FALSE(parse_price_paise("2450.0500001"));
  CHECK_FALSE(parse_price_paise("2450."));
  CHECK_FALSE(parse_price_paise(".5"));
  CHECK_FALSE(parse_price_paise(""));
  CHECK_FALSE(parse_price_paise("1e3"));
  CHECK_FALSE(parse_price_paise("12.3.4"));
  CHECK_FALSE(parse_price_paise("+1.00"));
  CHECK_FALSE(parse_price_paise("92233720368547758.08"));
  CHECK_FALSE(parse_price_paise("99999999999999999999"));
}

TEST_CASE("quantities are whole numbers, a zero fraction tolerated") {
  CHECK(parse_qty("100") == 100);
  CHECK(parse_qty("100.000") == 100);
  CHECK_FALSE(parse_qty("100.5"));
  CHECK_FALSE(parse_qty("-100"));
  CHECK_FALSE(parse_qty("100."));
  CHECK_FALSE(parse_qty("9223372036854775808"));
}

TEST_CASE("UTC timestamps parse with 0, 3, 6 or 9 fractional digits and valid dates") {
  using namespace std::chrono;
  const auto base = sys_days{2024y / March / 15} + 9h + 15min + 30s;
  CHECK(parse_utc_timestamp("20240315-09:15:30") == utc_timestamp{base});
  CHECK(parse_utc_timestamp("20240315-09:15:30.123") == utc_timestamp{base + 123ms});
  CHECK(parse_utc_timestamp("20240315-09:15:30.123456") == utc_timestamp{base + 123456us});
  CHECK(parse_utc_timestamp("20240315-09:15:30.123456789") == utc_timestamp{base + 123456789ns});
  CHECK(parse_utc_timestamp("20240229-00:00:00"));
  CHECK_FALSE(parse_utc_timestamp("20230229-00:00:00"));
  CHECK_FALSE(parse_utc_timestamp("20241301-00:00:00"));
  CHECK_FALSE(parse_utc_timestamp("20240315-24:00:00"));
  CHECK_FALSE(parse_utc_timestamp("20240315-09:60:00"));
  CHECK_FALSE(parse_utc_timestamp("20240315 09:15:30"));
  CHECK_FALSE(parse_utc_timestamp("20240315-09:15:30.12"));
  CHECK_FALSE(parse_utc_timestamp("20240315-09:15:3a"));
}

TEST_CASE("formatted values parse back to the same numbers") {
  using namespace std::chrono;
  std::string s;
  append_price(s, 245005);
  CHECK(s == "2450.05");
  s.clear();
  append_price(s, -5);
  CHECK(s == "-0.05");
  s.clear();
  append_price(s, std::numeric_limits<std::int64_t>::min());
  CHECK(s == "-92233720368547758.08");
  s.clear();
  const utc_timestamp t{sys_days{2024y / December / 31} + 23h + 59min + 59s + 999ms};
  append_utc_timestamp(s, t);
  CHECK(s == "20241231-23:59:59.999");
  CHECK(parse_utc_timestamp(s) == t);
}

TEST_CASE("an average price is rounded to the nearest paisa") {
  CHECK(parse_price_paise_rounded("2450.0333333333") == 245003);
  CHECK(parse_price_paise_rounded("2450.035") == 245004);
  CHECK(parse_price_paise_rounded("2450.0349999") == 245003);
  CHECK(parse_price_paise_rounded("0.995") == 100);
  CHECK(parse_price_paise_rounded("-0.005") == -1);
  CHECK(parse_price_paise_rounded("2450") == 245000);
  CHECK_FALSE(parse_price_paise_rounded("2450.03x"));
  CHECK_FALSE(parse_price_paise_rounded("92233720368547758.075"));
}
