// The periods the service was ACTIVE, read from its mode transitions.
#include <catch2/catch.hpp>

#include "irra/reverse/records.hpp"

using irra::reverse::active_periods;
using irra::reverse::ActivePeriod;
using irra::reverse::ModeTransition;

namespace {

ModeTransition tr(std::int64_t at, std::string from, std::string to) {
  static std::int64_t id = 0;
  return ModeTransition{++id, at, std::move(from), std::move(to)};
}

}  // namespace

TEST_CASE("no transitions recorded: never ACTIVE") {
  CHECK(active_periods({}).empty());
}

TEST_CASE("ACTIVE from its activation to the next change of mode") {
  const auto p = active_periods({tr(100, "standby", "active"), tr(200, "active", "recovery"),
                                 tr(300, "recovery", "standby"), tr(400, "standby", "active")});
  REQUIRE(p.size() == 2);
  CHECK(p[0] == ActivePeriod{100, 200});
  CHECK(p[1] == ActivePeriod{400, std::nullopt});  // still ACTIVE
  CHECK(p[0].contains(100));
  CHECK(p[0].contains(199));
  CHECK_FALSE(p[0].contains(200));
  CHECK_FALSE(p[0].contains(99));
  CHECK(p[1].contains(1'000'000'000));
}

TEST_CASE("recovery back to ACTIVE opens a new period; repeated activations do not split one") {
  const auto p = active_periods({tr(100, "standby", "active"), tr(150, "active", "active"),
                                 tr(200, "active", "recovery"), tr(250, "recovery", "active"),
                                 tr(300, "active", "standby")});
  REQUIRE(p.size() == 2);
  CHECK(p[0] == ActivePeriod{100, 200});
  CHECK(p[1] == ActivePeriod{250, 300});
}

TEST_CASE("a first transition out of ACTIVE means ACTIVE since before anything was recorded") {
  const auto p = active_periods({tr(500, "active", "recovery")});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == ActivePeriod{0, 500});
}

TEST_CASE("modes are compared without regard to case, and a clock set back gives an empty period") {
  const auto p = active_periods({tr(100, "STANDBY", "ACTIVE"), tr(90, "Active", "recovery")});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == ActivePeriod{100, 100});
  CHECK_FALSE(p[0].contains(100));
}
