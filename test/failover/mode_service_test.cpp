// The mode state machine, driven round by round with a fake clock and a fake store: the
// thresholds, no flapping, 1 failing target of 3 never activating, RECOVERY then a new
// failure -> ACTIVE, forced commands and their refusals, and "durable before switched".
#include "irra/failover/mode_service.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <deque>
#include <string>
#include <vector>

namespace net = boost::asio;
using namespace irra::failover;

namespace {

// Completes persist() on the io_context: at once (ok), with a failure, or when released.
class FakeStore : public TransitionStore {
 public:
  explicit FakeStore(net::io_context& ioc) : ioc_(ioc) {}
  void persist(const Transition& t, PersistDone done) override {
    asked.push_back(t);
    if (hold) {
      held.push_back([this, t, done] { complete(t, done); });
      return;
    }
    net::post(ioc_, [this, t, done] { complete(t, done); });
  }
  void release_all() {
    auto h = std::move(held);
    held.clear();
    for (auto& f : h) net::post(ioc_, f);
  }
  void complete(const Transition& t, const PersistDone& done) {
    if (fail) return done(PersistResult{false, false, "writer refused", 0});
    durable.push_back(t);
    done(PersistResult{true, !audit_fails, audit_fails ? "audit refused" : "",
                       static_cast<std::int64_t>(durable.size())});
  }
  bool hold = false;
  bool fail = false;
  bool audit_fails = false;
  std::vector<Transition> asked;
  std::vector<Transition> durable;
  std::vector<std::function<void()>> held;

 private:
  net::io_context& ioc_;
};

struct Fixture {
  explicit Fixture(bool auto_activate = true, std::uint32_t fail = 3, std::uint32_t recover = 5)
      : store(ioc), service(ioc.get_executor(), store, make_options(auto_activate, fail, recover)) {
    service.restore(std::nullopt, 0);
    service.set_apply([this](const Transition& t) {
      // Durable before switched: the store has the row by the time the engine hears of it.
      CHECK((!store.durable.empty() && store.durable.back().to == t.to));
      applied.push_back(t.to);
    });
    service.on_transition([this](const Transition& t) { told.push_back(t); });
  }
  ModeOptions make_options(bool auto_activate, std::uint32_t fail, std::uint32_t recover) {
    ModeOptions o;
    o.auto_activate = auto_activate;
    o.fail_threshold = fail;
    o.recover_threshold = recover;
    o.retry_delay = std::chrono::milliseconds(20);
    o.clock = [this] { return ++clock_us; };
    return o;
  }
  // One probe round, and whatever it causes, settled.
  void round(bool down) {
    service.on_round(down);
    settle();
  }
  void rounds(const std::string& pattern) {  // "DDDUU": down/up rounds
    for (char c : pattern) round(c == 'D');
  }
  void settle() {
    ioc.restart();
    ioc.poll();
  }
  CommandResult command(Mode to, std::string reason = "drill") {
    CommandResult got;
    bool answered = false;
    service.request(to, "admin:ctl", std::move(reason), [&](const CommandResult& r) {
      got = r;
      answered = true;
    });
    settle();
    REQUIRE(answered);
    return got;
  }

  net::io_context ioc;
  irra::domain::Timestamp clock_us = 1'700'000'000'000'000;
  FakeStore store;
  ModeService service;
  std::vector<Mode> applied;
  std::vector<Transition> told;
};

}  // namespace

TEST_CASE("the main site is judged down only after fail_threshold consecutive down rounds") {
  Fixture f;
  f.rounds("DD");
  CHECK(f.service.mode() == Mode::standby);
  CHECK(f.store.asked.empty());
  f.round(true);
  CHECK(f.service.mode() == Mode::active);
  REQUIRE(f.told.size() == 1);
  CHECK(f.told[0].from == Mode::standby);
  CHECK(f.told[0].to == Mode::active);
  CHECK(f.told[0].trigger == Trigger::probe);
  CHECK(f.told[0].actor == "system:probe");
  CHECK(f.told[0].id == 1);  // the row's id, known once durable
  CHECK_THAT(f.told[0].reason, Catch::Contains("3 consecutive failed probe rounds"));
  CHECK(f.service.since() == f.told[0].at);
  CHECK(f.applied == std::vector<Mode>{Mode::active});
}

TEST_CASE("a flapping main site never activates: one good round resets the count") {
  Fixture f;
  f.rounds("DDUDDUDDUDDUDUDUDDU");
  CHECK(f.service.mode() == Mode::standby);
  CHECK(f.store.asked.empty());
  CHECK(f.service.judge().state() == SiteState::unknown);
}

TEST_CASE("1 failing target of 3 gives good rounds, so it never activates") {
  // The probe reports such a round as not down (tested in probe_test); the machine only
  // sees good rounds.
  Fixture f;
  for (int i = 0; i < 50; ++i) f.round(false);
  CHECK(f.service.mode() == Mode::standby);
  CHECK(f.store.asked.empty());
  CHECK(f.service.judge().state() == SiteState::up);
}

TEST_CASE("ACTIVE -> RECOVERY after recover_threshold good rounds, not before") {
  Fixture f;
  f.rounds("DDD");
  REQUIRE(f.service.mode() == Mode::active);
  f.rounds("UUUU");
  CHECK(f.service.mode() == Mode::active);
  f.rounds("D");  // a relapse resets the good count
  f.rounds("UUUU");
  CHECK(f.service.mode() == Mode::active);
  f.round(false);
  CHECK(f.service.mode() == Mode::recovery);
  CHECK(f.told.back().trigger == Trigger::probe);
  CHECK_THAT(f.told.back().reason, Catch::Contains("healthy again"));
}

TEST_CASE("RECOVERY -> ACTIVE again when the main site fails again") {
  Fixture f;
  f.rounds(
      "DDD"
      "UUUUU");
  REQUIRE(f.service.mode() == Mode::recovery);
  f.rounds("DD");
  CHECK(f.service.mode() == Mode::recovery);
  f.round(true);
  CHECK(f.service.mode() == Mode::active);
  CHECK(f.told.size() == 3);
  CHECK(f.told.back().from == Mode::recovery);
}

TEST_CASE("RECOVERY -> STANDBY only by staff, never by the probe") {
  Fixture f;
  f.rounds(
      "DDD"
      "UUUUU");
  REQUIRE(f.service.mode() == Mode::recovery);
  for (int i = 0; i < 20; ++i) f.round(false);
  CHECK(f.service.mode() == Mode::recovery);
  const auto r = f.command(Mode::standby, "main site verified");
  CHECK(r.ok);
  CHECK(r.mode == Mode::standby);
  CHECK(f.service.mode() == Mode::standby);
  CHECK(f.told.back().trigger == Trigger::command);
  CHECK(f.told.back().actor == "admin:ctl");
  CHECK(f.told.back().reason == "main site verified");
}

TEST_CASE("a site first seen healthy does not undo a forced activation") {
  Fixture f;
  REQUIRE(f.command(Mode::active).ok);
  for (int i = 0; i < 20; ++i) f.round(false);  // unknown -> up: no event
  CHECK(f.service.mode() == Mode::active);
  // Seen down, then up: that is the main site recovering.
  f.rounds(
      "DDD"
      "UUUUU");
  CHECK(f.service.mode() == Mode::recovery);
}

TEST_CASE("auto_activate off: the main site failing only holds, staff activate") {
  Fixture f(false);
  f.rounds("DDDDDD");
  CHECK(f.service.mode() == Mode::standby);
  CHECK(f.service.stats().activations_held == 1);
  CHECK(f.command(Mode::active).ok);
  CHECK(f.service.mode() == Mode::active);
  f.rounds("UUUUU");  // coming back still leads to RECOVERY
  CHECK(f.service.mode() == Mode::recovery);
}

TEST_CASE("forced commands: allowed moves") {
  Fixture f;
  auto r = f.command(Mode::active);
  CHECK(r.ok);
  CHECK(r.mode == Mode::active);
  REQUIRE(r.transition);
  CHECK(r.transition->from == Mode::standby);
  CHECK(r.since == r.transition->at);
  CHECK(f.command(Mode::recovery).ok);
  CHECK(f.command(Mode::active).ok);  // RECOVERY -> ACTIVE
  CHECK(f.command(Mode::recovery).ok);
  CHECK(f.command(Mode::standby).ok);
  CHECK(f.service.mode() == Mode::standby);
  CHECK(f.store.durable.size() == 5);
  const auto j = r.to_json();
  CHECK(j["ok"] == true);
  CHECK(j["mode"] == "active");
  CHECK(j["from"] == "standby");
  CHECK(j["since"].get<std::string>().ends_with("Z"));
}

TEST_CASE("forced commands: invalid transitions are refused with a clear code") {
  Fixture f;
  auto r = f.command(Mode::recovery);
  CHECK_FALSE(r.ok);
  CHECK(r.error == "invalid_transition");
  CHECK(r.mode == Mode::standby);
  r = f.command(Mode::standby);
  CHECK(r.error == "already_in_mode");
  REQUIRE(f.command(Mode::active).ok);
  r = f.command(Mode::standby);
  CHECK_FALSE(r.ok);
  CHECK(r.error == "invalid_transition");
  CHECK_THAT(r.message, Catch::Contains("recovery first"));
  CHECK(f.service.mode() == Mode::active);
  r = f.command(Mode::active);
  CHECK(r.error == "already_in_mode");
  const auto j = r.to_json();
  CHECK(j["ok"] == false);
  CHECK(j["error"] == "already_in_mode");
  CHECK(j["mode"] == "active");
  CHECK(f.service.stats().commands_refused == 4);
  CHECK(f.store.durable.size() == 1);
}

TEST_CASE("nothing switches and nobody is answered before the transition is durable") {
  Fixture f;
  f.store.hold = true;
  bool answered = false;
  f.service.request(Mode::active, "admin:ctl", "drill",
                    [&](const CommandResult&) { answered = true; });
  f.settle();
  CHECK(f.store.asked.size() == 1);
  CHECK_FALSE(answered);
  CHECK(f.service.mode() == Mode::standby);
  CHECK(f.applied.empty());
  CHECK(f.service.busy());
  // A second command waits behind the first and is checked against the new mode.
  CommandResult second;
  f.service.request(Mode::active, "admin:ctl", "again",
                    [&](const CommandResult& r) { second = r; });
  f.settle();
  CHECK(f.store.asked.size() == 1);
  f.store.release_all();
  f.settle();
  CHECK(answered);
  CHECK(f.service.mode() == Mode::active);
  CHECK(second.error == "already_in_mode");
}

TEST_CASE("a command that cannot be made durable changes nothing") {
  Fixture f;
  f.store.fail = true;
  const auto r = f.command(Mode::active);
  CHECK_FALSE(r.ok);
  CHECK(r.error == "not_durable");
  CHECK(f.service.mode() == Mode::standby);
  CHECK(f.applied.empty());
  CHECK(f.told.empty());
  CHECK(f.service.stats().persist_failures == 1);
}

TEST_CASE("an automatic activation that could not be recorded is retried while still wanted") {
  Fixture f;
  f.store.fail = true;
  f.rounds("DDD");
  CHECK(f.service.mode() == Mode::standby);
  f.store.fail = false;
  // The retry timer (20 ms) fires; the judgement still stands.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (f.service.mode() != Mode::active && std::chrono::steady_clock::now() < until) {
    f.ioc.restart();
    f.ioc.run_for(std::chrono::milliseconds(10));
  }
  CHECK(f.service.mode() == Mode::active);
  CHECK(f.store.durable.size() == 1);
}

TEST_CASE("an audit failure is counted, but the durable transition stands") {
  Fixture f;
  f.store.audit_fails = true;
  CHECK(f.command(Mode::active).ok);
  CHECK(f.service.mode() == Mode::active);
  CHECK(f.service.stats().audit_failures == 1);
}

TEST_CASE("restored ACTIVE entered by the probe: the site coming back leads to RECOVERY") {
  Fixture f;
  Transition last{42, Mode::standby, Mode::active, Trigger::probe, "system:probe", "down", 7};
  f.service.restore(last, 0);
  CHECK(f.service.mode() == Mode::active);
  CHECK(f.service.since() == 42);
  CHECK(f.service.judge().state() == SiteState::down);
  f.rounds("UUUUU");
  CHECK(f.service.mode() == Mode::recovery);
}

TEST_CASE("restored ACTIVE forced by staff stays ACTIVE while the site is healthy") {
  Fixture f;
  Transition last{42, Mode::standby, Mode::active, Trigger::command, "admin:ctl", "drill", 7};
  f.service.restore(last, 0);
  f.rounds("UUUUUUUUUU");
  CHECK(f.service.mode() == Mode::active);
}

TEST_CASE("stop refuses new commands and answers the waiting ones") {
  Fixture f;
  f.store.hold = true;
  CommandResult first, second;
  f.service.request(Mode::active, "admin:ctl", "", [&](const CommandResult& r) { first = r; });
  f.service.request(Mode::active, "admin:ctl", "", [&](const CommandResult& r) { second = r; });
  f.settle();
  f.service.stop();
  CHECK(second.error == "stopping");
  CommandResult third;
  f.service.request(Mode::active, "admin:ctl", "", [&](const CommandResult& r) { third = r; });
  CHECK(third.error == "stopping");
}

TEST_CASE("reasons are cleaned: control characters, bad UTF-8, at most 512 characters") {
  CHECK(clean_reason("a\nb\tc") == "a b c");
  CHECK(clean_reason("caf\xC3\xA9") == "caf\xC3\xA9");
  CHECK(clean_reason("bad \xFF byte") == "bad ? byte");
  CHECK(clean_reason(std::string(600, 'x')).size() == 512);
  std::string many;
  for (int i = 0; i < 600; ++i) many += "\xC3\xA9";
  CHECK(clean_reason(many).size() == 1024);  // 512 characters of 2 bytes
}
