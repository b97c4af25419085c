// The health probe against in-process health endpoints on 127.0.0.1: good and failing
// answers, a target slower than the timeout, refused connections, a target that accepts and
// never answers, HTTPS with and without a trusted certificate, and rounds that judge by a
// strict majority.
#include "irra/failover/probe.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <vector>

#include "fake_health_server.hpp"

namespace net = boost::asio;
using namespace std::chrono_literals;
using irra::failover::Outcome;
using irra::failover::Probe;
using irra::failover::ProbeOptions;
using irra::failover::RoundResult;
using irra::failover::test::closed_port;
using irra::failover::test::FakeHealthServer;

namespace {

// Runs the probe until `rounds` rounds finished (or 10 s passed).
std::vector<RoundResult> run_rounds(net::io_context& ioc, Probe& probe, std::size_t rounds,
                                    const std::function<void(std::size_t)>& before_round = {}) {
  std::vector<RoundResult> seen;
  if (before_round) before_round(0);
  probe.start([&](const RoundResult& r) {
    seen.push_back(r);
    if (before_round) before_round(seen.size());
  });
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (seen.size() < rounds && std::chrono::steady_clock::now() < give_up) {
    ioc.run_for(10ms);
  }
  probe.stop();
  ioc.run_for(20ms);
  return seen;
}

ProbeOptions options(std::vector<std::string> urls, std::chrono::milliseconds interval = 300ms,
                     std::chrono::milliseconds timeout = 250ms) {
  ProbeOptions o;
  o.urls = std::move(urls);
  o.interval = interval;
  o.timeout = timeout;
  return o;
}

struct TempDir {
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("irra-probe-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path path;
  static inline int counter = 0;
};

}  // namespace

TEST_CASE("a 2xx answer is good and a 503 is a failure") {
  net::io_context ioc;
  FakeHealthServer up(ioc), down(ioc);
  down.status = 503;
  Probe probe(ioc.get_executor(), options({up.url(), down.url()}));
  const auto rounds = run_rounds(ioc, probe, 2);
  REQUIRE(rounds.size() >= 2);
  for (const auto& r : rounds) {
    REQUIRE(r.results.size() == 2);
    CHECK(r.results[0].outcome == Outcome::ok);
    CHECK(r.results[0].status == 200);
    CHECK(r.results[1].outcome == Outcome::http_error);
    CHECK(r.results[1].status == 503);
    CHECK(r.failed == 1);
    CHECK_FALSE(r.down);  // 1 of 2 is not a strict majority
  }
  const auto& stats = probe.stats();
  CHECK(stats.rounds >= 2);
  CHECK(stats.rounds_down == 0);
  CHECK(stats.targets[0].results[static_cast<std::size_t>(Outcome::ok)] >= 2);
  CHECK(stats.targets[1].results[static_cast<std::size_t>(Outcome::http_error)] >= 2);
  CHECK(up.requests >= 2);
}

TEST_CASE("a single target that fails makes the round down") {
  net::io_context ioc;
  FakeHealthServer down(ioc);
  down.status = 500;
  Probe probe(ioc.get_executor(), options({down.url()}));
  const auto rounds = run_rounds(ioc, probe, 1);
  REQUIRE(rounds.size() >= 1);
  CHECK(rounds[0].down);
  CHECK(rounds[0].failed == 1);
}

TEST_CASE("one unreachable target of three never makes a round down") {
  net::io_context ioc;
  FakeHealthServer a(ioc), b(ioc);
  Probe probe(
      ioc.get_executor(),
      options({a.url(), "http://127.0.0.1:" + std::to_string(closed_port()) + "/health", b.url()}));
  const auto rounds = run_rounds(ioc, probe, 5);
  REQUIRE(rounds.size() >= 5);
  for (const auto& r : rounds) {
    CHECK(r.results[1].outcome == Outcome::connect_error);
    CHECK(r.failed == 1);
    CHECK_FALSE(r.down);
  }
  CHECK(probe.stats().rounds_down == 0);
}

TEST_CASE("two failing targets of three make the round down") {
  net::io_context ioc;
  FakeHealthServer a(ioc), b(ioc), c(ioc);
  b.status = 503;
  c.behavior = FakeHealthServer::Behavior::close;
  Probe probe(ioc.get_executor(), options({a.url(), b.url(), c.url()}));
  const auto rounds = run_rounds(ioc, probe, 2);
  REQUIRE(rounds.size() >= 2);
  CHECK(rounds[0].down);
  CHECK(rounds[0].failed == 2);
  CHECK(rounds[0].results[0].outcome == Outcome::ok);
  CHECK(rounds[0].results[1].outcome == Outcome::http_error);
  CHECK(rounds[0].results[2].outcome == Outcome::io_error);
}

TEST_CASE("an answer slower than the timeout is a timeout, and the round still ends in time") {
  net::io_context ioc;
  FakeHealthServer slow(ioc);
  slow.delay = 800ms;  // the timeout is 150 ms
  Probe probe(ioc.get_executor(), options({slow.url()}, 400ms, 150ms));
  const auto started = std::chrono::steady_clock::now();
  const auto rounds = run_rounds(ioc, probe, 1);
  REQUIRE(rounds.size() == 1);
  CHECK(rounds[0].results[0].outcome == Outcome::timeout);
  CHECK(rounds[0].down);
  // Bounded by the timeout, not by the server's delay.
  CHECK(rounds[0].latency < 600ms);
  CHECK(std::chrono::steady_clock::now() - started < 2s);
}

TEST_CASE("a target that accepts and never answers times out") {
  net::io_context ioc;
  FakeHealthServer silent(ioc);
  silent.behavior = FakeHealthServer::Behavior::silent;
  Probe probe(ioc.get_executor(), options({silent.url()}, 300ms, 100ms));
  const auto rounds = run_rounds(ioc, probe, 2);
  REQUIRE(rounds.size() >= 2);
  CHECK(rounds[0].results[0].outcome == Outcome::timeout);
  CHECK(rounds[0].latency < 500ms);
}

TEST_CASE("refused connections are connect errors") {
  net::io_context ioc;
  Probe probe(ioc.get_executor(),
              options({"http://127.0.0.1:" + std::to_string(closed_port()) + "/health"}));
  const auto rounds = run_rounds(ioc, probe, 1);
  REQUIRE(rounds.size() == 1);
  CHECK(rounds[0].results[0].outcome == Outcome::connect_error);
  CHECK(rounds[0].down);
  CHECK_FALSE(rounds[0].results[0].error.empty());
}

TEST_CASE("a host name is resolved and its addresses are kept for the next rounds") {
  net::io_context ioc;
  FakeHealthServer up(ioc);
  // localhost may resolve to ::1 first (nothing listens there): the next address is tried.
  Probe probe(ioc.get_executor(),
              options({"http://localhost:" + std::to_string(up.port()) + "/health"}));
  const auto rounds = run_rounds(ioc, probe, 3);
  REQUIRE(rounds.size() >= 3);
  for (const auto& r : rounds) {
    INFO(r.results[0].error);
    CHECK(r.results[0].outcome == Outcome::ok);
  }
}

TEST_CASE("an unresolvable host name is a DNS error, without blocking the reactor") {
  net::io_context ioc;
  // .invalid never resolves (RFC 6761); the answer comes quickly from the local resolver.
  Probe probe(ioc.get_executor(), options({"http://irra-probe-test.invalid/health"}, 500ms, 400ms));
  const auto rounds = run_rounds(ioc, probe, 1);
  REQUIRE(rounds.size() == 1);
  const auto outcome = rounds[0].results[0].outcome;
  CHECK((outcome == Outcome::dns_error || outcome == Outcome::timeout));
  CHECK(rounds[0].down);
}

TEST_CASE("rounds follow a flapping target round by round") {
  net::io_context ioc;
  FakeHealthServer flap(ioc);
  Probe probe(ioc.get_executor(), options({flap.url()}, 250ms, 200ms));
  // Before each round: good, bad, good, bad...
  const auto rounds =
      run_rounds(ioc, probe, 6, [&](std::size_t done) { flap.status = done % 2 == 0 ? 200 : 502; });
  REQUIRE(rounds.size() >= 6);
  for (std::size_t i = 0; i < 6; ++i) {
    INFO("round " << i);
    CHECK(rounds[i].down == (i % 2 == 1));
  }
}

TEST_CASE("rounds start at a fixed rate") {
  net::io_context ioc;
  FakeHealthServer up(ioc);
  Probe probe(ioc.get_executor(), options({up.url()}, 50ms, 40ms));
  const auto started = std::chrono::steady_clock::now();
  const auto rounds = run_rounds(ioc, probe, 5);
  REQUIRE(rounds.size() >= 5);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  // Round 1 at once, round 5 after 4 intervals (200 ms); generous upper bound for a busy box.
  CHECK(elapsed >= 190ms);
  CHECK(elapsed < 2s);
  CHECK(rounds[4].round == 5);
}

TEST_CASE("HTTPS: a target whose certificate is trusted is good") {
  TempDir dir;
  net::io_context ioc;
  FakeHealthServer tls(ioc, dir.path);
  auto o = options({tls.url()}, 1000ms, 900ms);
  o.ca_file = tls.cert_file();
  Probe probe(ioc.get_executor(), o);
  const auto rounds = run_rounds(ioc, probe, 1);
  REQUIRE(rounds.size() == 1);
  INFO(rounds[0].results[0].error);
  CHECK(rounds[0].results[0].outcome == Outcome::ok);
  CHECK(rounds[0].results[0].status == 200);
}

TEST_CASE("HTTPS: a self-signed certificate that is not trusted fails verification") {
  TempDir dir;
  net::io_context ioc;
  FakeHealthServer tls(ioc, dir.path);
  Probe probe(ioc.get_executor(), options({tls.url()}, 1000ms, 900ms));  // system store only
  const auto rounds = run_rounds(ioc, probe, 1);
  REQUIRE(rounds.size() == 1);
  CHECK(rounds[0].results[0].outcome == Outcome::tls_error);
  CHECK(rounds[0].down);
}

TEST_CASE("a bad probe URL is refused at construction") {
  net::io_context ioc;
  CHECK_THROWS_AS(Probe(ioc.get_executor(), options({"ftp://x/health"})), std::invalid_argument);
  CHECK_THROWS_AS(Probe(ioc.get_executor(), options({"http://:80/"})), std::invalid_argument);
}

TEST_CASE("stop() cancels the checks in flight and reports no further round") {
  net::io_context ioc;
  FakeHealthServer silent(ioc);
  silent.behavior = FakeHealthServer::Behavior::silent;
  Probe probe(ioc.get_executor(), options({silent.url()}, 1000ms, 900ms));
  int rounds = 0;
  probe.start([&](const RoundResult&) { ++rounds; });
  ioc.run_for(100ms);
  probe.stop();
  ioc.run_for(1200ms);
  CHECK(rounds == 0);
}
