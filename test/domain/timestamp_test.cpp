#include "irra/domain/timestamp.hpp"

#include <catch2/catch.hpp>
#include <random>

using namespace irra::domain;

namespace {
// 2024-12-02T09:15:00Z, computed independently: 20059 days after the epoch.
constexpr Timestamp dec2_0915 = (20059LL * 86400 + 9 * 3600 + 15 * 60) * 1'000'000;
}  // namespace

TEST_CASE("ISO-8601 formatting shows microseconds and Z", "[time]") {
  CHECK(format_iso8601(0) == "1970-01-01T00:00:00.000000Z");
  CHECK(format_iso8601(dec2_0915 + 123456) == "2024-12-02T09:15:00.123456Z");
  CHECK(format_iso8601(dec2_0915 - 1) == "2024-12-02T09:14:59.999999Z");
  CHECK(format_iso8601(-1) == "1969-12-31T23:59:59.999999Z");
}

TEST_CASE("ISO-8601 parsing accepts 0 to 9 fraction digits and requires Z", "[time]") {
  CHECK(parse_iso8601("2024-12-02T09:15:00Z") == dec2_0915);
  CHECK(parse_iso8601("2024-12-02T09:15:00.1Z") == dec2_0915 + 100000);
  CHECK(parse_iso8601("2024-12-02T09:15:00.123456Z") == dec2_0915 + 123456);
  CHECK(parse_iso8601("2024-12-02T09:15:00.123456789Z") == dec2_0915 + 123456);
  CHECK(parse_iso8601("2024-02-29T00:00:00Z").has_value());
  for (const char* bad :
       {"", "2024-12-02", "2024-12-02T09:15:00", "2024-12-02T09:15:00+05:30",
        "2024-12-02 09:15:00Z", "2024-13-02T09:15:00Z", "2024-12-32T09:15:00Z",
        "2023-02-29T00:00:00Z", "2024-12-02T24:00:00Z", "2024-12-02T09:60:00Z",
        "2024-12-02T09:15:60Z", "2024-12-02T09:15:00.Z", "2024-12-02T09:15:00.1234567890Z",
        "2024-12-02T09:15:0aZ", "1969-12-31T23:59:59Z", "2024-1-02T09:15:00Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_iso8601(bad).has_value());
  }
}

TEST_CASE("FIX UTCTimestamp parsing reads seconds, milliseconds and more", "[time]") {
  CHECK(parse_fix_timestamp("20241202-09:15:00") == dec2_0915);
  CHECK(parse_fix_timestamp("20241202-09:15:00.123") == dec2_0915 + 123000);
  CHECK(parse_fix_timestamp("20241202-09:15:00.123456") == dec2_0915 + 123456);
  CHECK(format_fix_timestamp(dec2_0915 + 123456) == "20241202-09:15:00.123");
  for (const char* bad :
       {"", "2024120209:15:00", "20241202-09:15", "20241202-09:15:00.", "20241302-09:15:00",
        "20241202-25:15:00", "2024-12-02T09:15:00Z", "20241202-09:15:00.123Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_fix_timestamp(bad).has_value());
  }
}

TEST_CASE("dates format and parse as YYYY-MM-DD in UTC", "[time]") {
  CHECK(format_date(dec2_0915) == "2024-12-02");
  CHECK(parse_date("2024-12-02") == dec2_0915 - (9 * 3600 + 15 * 60) * 1'000'000LL);
  CHECK_FALSE(parse_date("2024-12-2").has_value());
  CHECK_FALSE(parse_date("2024-02-30").has_value());
}

TEST_CASE("timestamps round-trip through both text forms", "[time][property]") {
  std::mt19937_64 rng(7);
  // 1970 .. 2200, microsecond resolution.
  std::uniform_int_distribution<Timestamp> dist(0, 7'258'118'400'000'000LL);
  for (int i = 0; i < 20000; ++i) {
    const Timestamp t = dist(rng);
    REQUIRE(parse_iso8601(format_iso8601(t)) == t);
    REQUIRE(parse_fix_timestamp(format_fix_timestamp(t)) == t - t % 1000);
    REQUIRE(parse_date(format_date(t)) == t - t % (86400LL * 1'000'000));
  }
}
