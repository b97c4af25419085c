#include <catch2/catch.hpp>

#include "sim_options.hpp"

using irra::sim::parse_command_line;

TEST_CASE("the contract's command line is accepted with its defaults", "[sim][options]") {
  const auto r =
      parse_command_line({"--listen", "127.0.0.1:9878", "--dump", "/tmp/d", "--health-listen",
                          "127.0.0.1:9100", "--flow-rate", "500", "--seed", "7"});
  REQUIRE(r.options);
  CHECK(r.options->listen.host == "127.0.0.1");
  CHECK(r.options->listen.port == 9878);
  CHECK(r.options->health_listen.port == 9100);
  CHECK(r.options->flow_rate == 500);
  CHECK(r.options->seed == 7);
  CHECK(r.options->flow_count == 0);
  CHECK(r.options->journal.empty());
  CHECK_FALSE(r.options->virtual_clock);
}

TEST_CASE("the virtual-clock option is a switch", "[sim][options]") {
  const auto r = parse_command_line({"--dump", "d", "--virtual-clock", "--flow-count", "10"});
  REQUIRE(r.options);
  CHECK(r.options->virtual_clock);
  CHECK(r.options->flow_count == 10);
  const auto bad = parse_command_line({"--dump", "d", "--virtual-clock=yes"});
  CHECK_FALSE(bad.options);
  CHECK(bad.exit_code == 2);
  CHECK(bad.message.find("virtual-clock") != std::string::npos);
}

TEST_CASE("a usage error exits 2 with one line naming the bad flag", "[sim][options]") {
  struct bad {
    std::vector<std::string> args;
    std::string flag;
  };
  const std::vector<bad> cases = {
      {{"--listen", "127.0.0.1:9878"}, "--dump"},
      {{"--dump", "d", "--listen", "nocolon"}, "--listen"},
      {{"--dump", "d", "--listen", "127.0.0.1:70000"}, "--listen"},
      {{"--dump", "d", "--health-listen", "127.0.0.1:x"}, "--health-listen"},
      {{"--dump", "d", "--flow-rate", "-5"}, "--flow-rate"},
      {{"--dump", "d", "--flow-rate", "12abc"}, "--flow-rate"},
      {{"--dump", "d", "--seed", ""}, "--seed"},
      {{"--dump", "d", "--flow-count", "1e3"}, "--flow-count"},
      {{"--dump", "d", "--log-level", "loud"}, "--log-level"},
      {{"--dump", "d", "--no-such-flag"}, "no-such-flag"},
  };
  for (const bad& c : cases) {
    INFO(c.flag);
    const auto r = parse_command_line(c.args);
    CHECK_FALSE(r.options);
    CHECK(r.exit_code == 2);
    CHECK(r.message.find(c.flag) != std::string::npos);
    CHECK(r.message.find('\n') == std::string::npos);
  }
}

TEST_CASE("--help prints the usage and exits 0", "[sim][options]") {
  const auto r = parse_command_line({"--help"});
  CHECK_FALSE(r.options);
  CHECK(r.exit_code == 0);
  CHECK(r.message.find("--flow-count") != std::string::npos);
}
