// The transition table (docs/operations.md) and the main-site judge's thresholds.
#include <catch2/catch.hpp>

#include "irra/failover/mode.hpp"
#include "irra/failover/probe_target.hpp"
#include "irra/failover/site_judge.hpp"

using namespace irra::failover;

TEST_CASE("forced transitions follow the table") {
  struct Row {
    Mode from;
    Mode to;
    const char* error;  // "" = allowed
  };
  const Row rows[] = {
      {Mode::standby, Mode::active, ""},
      {Mode::standby, Mode::recovery, "invalid_transition"},
      {Mode::standby, Mode::standby, "already_in_mode"},
      {Mode::active, Mode::recovery, ""},
      {Mode::active, Mode::standby, "invalid_transition"},
      {Mode::active, Mode::active, "already_in_mode"},
      {Mode::recovery, Mode::active, ""},
      {Mode::recovery, Mode::standby, ""},
      {Mode::recovery, Mode::recovery, "already_in_mode"},
  };
  for (const auto& row : rows) {
    INFO(name(row.from) << " -> " << name(row.to));
    const auto c = check_command(row.from, row.to);
    CHECK(c.ok == (std::string(row.error).empty()));
    CHECK(c.error == row.error);
    if (!c.ok) CHECK_FALSE(c.message.empty());
  }
}

TEST_CASE("automatic transitions follow the table") {
  CHECK(automatic_target(Mode::standby, SiteEvent::went_down, true) == Mode::active);
  CHECK(automatic_target(Mode::recovery, SiteEvent::went_down, true) == Mode::active);
  CHECK(automatic_target(Mode::active, SiteEvent::went_down, true) == std::nullopt);
  CHECK(automatic_target(Mode::standby, SiteEvent::went_down, false) == std::nullopt);
  CHECK(automatic_target(Mode::recovery, SiteEvent::went_down, false) == std::nullopt);
  CHECK(automatic_target(Mode::active, SiteEvent::came_up, true) == Mode::recovery);
  CHECK(automatic_target(Mode::active, SiteEvent::came_up, false) == Mode::recovery);
  CHECK(automatic_target(Mode::standby, SiteEvent::came_up, true) == std::nullopt);
  CHECK(automatic_target(Mode::recovery, SiteEvent::came_up, true) == std::nullopt);
}

TEST_CASE("names and commands") {
  CHECK(command_target("activate") == Mode::active);
  CHECK(command_target("recover") == Mode::recovery);
  CHECK(command_target("standby") == Mode::standby);
  CHECK(command_target("status") == std::nullopt);
  for (Mode m : {Mode::standby, Mode::active, Mode::recovery}) CHECK(parse_mode(name(m)) == m);
  for (Trigger t : {Trigger::startup, Trigger::probe, Trigger::command}) {
    CHECK(parse_trigger(name(t)) == t);
  }
  CHECK(parse_mode("ACTIVE") == std::nullopt);
}

TEST_CASE("the judge: thresholds, resets, and only changes are events") {
  SiteJudge j(3, 2);
  CHECK(j.state() == SiteState::unknown);
  CHECK_FALSE(j.observe(true));
  CHECK_FALSE(j.observe(true));
  CHECK(j.observe(true) == SiteEvent::went_down);
  CHECK(j.state() == SiteState::down);
  CHECK_FALSE(j.observe(true));  // still down: no second event
  CHECK(j.consecutive_down() == 4);
  CHECK_FALSE(j.observe(false));
  CHECK_FALSE(j.observe(true));  // reset
  CHECK_FALSE(j.observe(false));
  CHECK(j.observe(false) == SiteEvent::came_up);
  CHECK(j.state() == SiteState::up);
  CHECK(j.consecutive_good() == 2);
}

TEST_CASE("the judge: unknown -> up is not an event") {
  SiteJudge j(1, 1);
  CHECK_FALSE(j.observe(false));
  CHECK(j.state() == SiteState::up);
  CHECK(j.observe(true) == SiteEvent::went_down);
  CHECK(j.observe(false) == SiteEvent::came_up);
}

TEST_CASE("probe URLs are taken apart") {
  std::string error;
  auto t = parse_probe_url("https://main.example/health", error);
  REQUIRE(t);
  CHECK(t->tls);
  CHECK(t->host == "main.example");
  CHECK(t->port == "443");
  CHECK(t->target == "/health");
  CHECK(t->host_header == "main.example");

  t = parse_probe_url("http://10.0.0.5:8080", error);
  REQUIRE(t);
  CHECK_FALSE(t->tls);
  CHECK(t->port == "8080");
  CHECK(t->target == "/");
  CHECK(t->host_header == "10.0.0.5:8080");

  t = parse_probe_url("http://[::1]:9100/health?deep=1#x", error);
  REQUIRE(t);
  CHECK(t->host == "::1");
  CHECK(t->target == "/health?deep=1");
  CHECK(t->host_header == "[::1]:9100");

  t = parse_probe_url("https://probe:s3cret@main.example/h", error);
  REQUIRE(t);
  CHECK(t->authorization == "Basic cHJvYmU6czNjcmV0");
  CHECK(t->url == "https://probe:***@main.example/h");
  CHECK(t->host == "main.example");

  t = parse_probe_url("http://main.example?x=1", error);
  REQUIRE(t);
  CHECK(t->target == "/?x=1");

  CHECK_FALSE(parse_probe_url("ftp://x/", error));
  CHECK_FALSE(parse_probe_url("http:///health", error));
  CHECK_FALSE(parse_probe_url("http://x:0/", error));
  CHECK_FALSE(parse_probe_url("http://x:70000/", error));
  CHECK_FALSE(parse_probe_url("http://[::1/", error));
  CHECK_FALSE(error.empty());
}
