#include "irra/domain/money.hpp"

#include <catch2/catch.hpp>
#include <limits>
#include <random>

using irra::domain::format_rupees;
using irra::domain::Paise;
using irra::domain::parse_rupees;

TEST_CASE("parse_rupees reads whole rupees and one or two decimals exactly", "[money]") {
  CHECK(parse_rupees("2450") == Paise{245000});
  CHECK(parse_rupees("2450.5") == Paise{245050});
  CHECK(parse_rupees("2450.05") == Paise{245005});
  CHECK(parse_rupees("2450.50") == Paise{245050});
  CHECK(parse_rupees("0.01") == Paise{1});
  CHECK(parse_rupees("0") == Paise{0});
  CHECK(parse_rupees("-12.30") == Paise{-1230});
  CHECK(parse_rupees("-0.05") == Paise{-5});
  CHECK(parse_rupees("007.5") == Paise{750});
}

TEST_CASE("parse_rupees refuses anything that is not plain decimal rupees", "[money]") {
  for (const char* bad :
       {"",    " ",     " 1",  "1 ",   "+1",   "-",   ".",   ".5",   "1.",  "1.234", "1e3", "1E3",
        "1,5", "1.2.3", "--1", "0x10", "1.-5", "abc", "12a", "1.5 ", "inf", "nan",   "\t1"}) {
    INFO("input: '" << bad << "'");
    CHECK_FALSE(parse_rupees(bad).has_value());
  }
}

TEST_CASE("parse_rupees refuses values that overflow int64 paise", "[money]") {
  // int64 max is 9223372036854775807 paise = 92233720368547758.07 rupees.
  CHECK(parse_rupees("92233720368547758.07") == std::numeric_limits<Paise>::max());
  CHECK_FALSE(parse_rupees("92233720368547758.08").has_value());
  CHECK(parse_rupees("-92233720368547758.08") == std::numeric_limits<Paise>::min());
  CHECK_FALSE(parse_rupees("-92233720368547758.09").has_value());
  CHECK_FALSE(parse_rupees("99999999999999999999").has_value());
  CHECK_FALSE(parse_rupees(std::string(500, '9')).has_value());
}

TEST_CASE("format_rupees prints exactly two decimals with the sign in front", "[money]") {
  CHECK(format_rupees(245050) == "2450.50");
  CHECK(format_rupees(245005) == "2450.05");
  CHECK(format_rupees(0) == "0.00");
  CHECK(format_rupees(5) == "0.05");
  CHECK(format_rupees(-5) == "-0.05");
  CHECK(format_rupees(-1230) == "-12.30");
  CHECK(format_rupees(std::numeric_limits<Paise>::max()) == "92233720368547758.07");
  CHECK(format_rupees(std::numeric_limits<Paise>::min()) == "-92233720368547758.08");
}

TEST_CASE("format_rupees and parse_rupees round-trip every amount", "[money][property]") {
  std::mt19937_64 rng(20241202);
  std::uniform_int_distribution<Paise> any(std::numeric_limits<Paise>::min(),
                                           std::numeric_limits<Paise>::max());
  std::uniform_int_distribution<Paise> small(-10'000'000, 10'000'000);
  for (int i = 0; i < 20000; ++i) {
    const Paise v = i % 2 ? any(rng) : small(rng);
    const auto back = parse_rupees(format_rupees(v));
    REQUIRE(back.has_value());
    REQUIRE(*back == v);
  }
}
