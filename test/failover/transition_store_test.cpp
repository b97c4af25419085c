// Transitions made durable in a real database (SQLite, or MySQL with IRRA_TEST_DB_URL):
// the mode_transitions row and its audit record, the mode a restart comes back in,
// --active/--standby at start, and the whole module (probe -> judge -> durable ACTIVE)
// against an in-process health endpoint.
#include <soci/soci.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../store/test_db.hpp"
#include "fake_health_server.hpp"
#include "irra/failover/failover.hpp"
#include "irra/store/audit.hpp"
#include "irra/store/writer.hpp"

namespace net = boost::asio;
using namespace std::chrono_literals;
using namespace irra::failover;
using irra::store::test::TestDb;

namespace {

long long rows(soci::session& sql) {
  long long n = 0;
  sql << "SELECT COUNT(*) FROM mode_transitions", soci::into(n);
  return n;
}

// A writer on the test database, an io_context, a strand.
struct Env {
  Env() : writer(db.url(), db.open()), strand(net::make_strand(ioc)) {}
  ~Env() { writer.drain_and_stop(); }

  // Runs the io_context until `done` or `limit`.
  template <class Pred>
  bool run_until(Pred done, std::chrono::milliseconds limit = 5000ms) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < until) {
      ioc.restart();
      ioc.run_for(10ms);
    }
    return done();
  }

  TestDb db;
  irra::store::Writer writer;
  net::io_context ioc;
  net::strand<net::io_context::executor_type> strand;
};

irra::config::FailoverConfig config(std::vector<std::string> probes = {}) {
  irra::config::FailoverConfig c;
  c.probes = std::move(probes);
  c.interval = 100ms;
  c.timeout = 80ms;
  c.fail_threshold = 3;
  c.recover_threshold = 2;
  c.auto_activate = true;
  return c;
}

}  // namespace

TEST_CASE("a transition is durable as a row and an audit record", "[db]") {
  Env env;
  irra::store::AuditChain audit(env.writer);
  WriterTransitionStore store(env.writer, audit, env.strand);
  const Transition t{1'733'130'000'123'456,
                     Mode::standby,
                     Mode::active,
                     Trigger::command,
                     "admin:ctl",
                     "drill: main site maintenance",
                     0};
  std::optional<PersistResult> result;
  store.persist(t, [&](const PersistResult& r) { result = r; });
  REQUIRE(env.run_until([&] { return result.has_value(); }));
  CHECK(result->ok);
  CHECK(result->audited);
  CHECK(result->id > 0);

  auto sql = env.db.open();
  CHECK(rows(*sql) == 1);
  const auto last = load_last_transition(*sql);
  REQUIRE(last);
  CHECK(last->at == t.at);
  CHECK(last->from == Mode::standby);
  CHECK(last->to == Mode::active);
  CHECK(last->trigger == Trigger::command);
  CHECK(last->actor == "admin:ctl");
  CHECK(last->reason == t.reason);
  CHECK(last->id == result->id);

  CHECK(irra::store::audit::verify(*sql).ok);
  irra::store::AuditFilter filter;
  filter.type = "mode.change";
  const auto page = irra::store::audit::query(*sql, filter, 10, 0);
  REQUIRE(page.records.size() == 1);
  const auto& e = page.records[0].event;
  CHECK(e.actor == "admin:ctl");
  CHECK(e.ts == "2024-12-02T09:00:00.123456Z");
  const auto detail = nlohmann::json::parse(*e.detail);
  CHECK(detail["from"] == "standby");
  CHECK(detail["to"] == "active");
  CHECK(detail["trigger"] == "command");
  CHECK(detail["reason"] == t.reason);
}

TEST_CASE("inserting the same transition twice stores one row (a re-run job)", "[db]") {
  TestDb db;
  auto sql = db.open();
  const Transition t{5, Mode::active, Mode::recovery, Trigger::probe, "system:probe", "up", 0};
  const auto id = insert_transition(*sql, t);
  CHECK(id > 0);
  CHECK(insert_transition(*sql, t) == id);
  CHECK(rows(*sql) == 1);
  Transition later = t;
  later.at = 6;
  later.from = Mode::recovery;
  later.to = Mode::standby;
  insert_transition(*sql, later);
  CHECK(load_last_transition(*sql)->to == Mode::standby);
}

TEST_CASE("a fresh database has no transition, and an unreadable row is an error", "[db]") {
  TestDb db;
  auto sql = db.open();
  CHECK_FALSE(load_last_transition(*sql));
  *sql << "INSERT INTO mode_transitions (at, from_mode, to_mode, trigger_kind, actor, reason)"
          " VALUES ('2024-12-02T09:00:00.000000Z', 'standby', 'ACTIVE', 'probe', 'x', '')";
  CHECK_THROWS_WITH(load_last_transition(*sql), Catch::Contains("not readable"));
}

TEST_CASE(
    "restart: the last persisted mode and its time come back, and the start flags are "
    "recorded when they change it",
    "[db]") {
  Env env;
  std::vector<std::pair<Mode, irra::domain::Timestamp>> applied;
  auto apply = [&](const Transition& t) { applied.emplace_back(t.to, t.at); };

  {  // fresh database, no flag: STANDBY, nothing written
    Failover f(env.strand, config(), StartOverride::none, env.writer);
    f.set_apply(apply);
    auto sql = env.db.open();
    f.restore(*sql);
    CHECK(f.mode() == Mode::standby);
    CHECK(rows(*sql) == 0);
    REQUIRE(applied.size() == 1);
    CHECK(applied.back().first == Mode::standby);
  }
  irra::domain::Timestamp active_at = 0;
  {  // --active: recorded (trigger startup), audited, listeners told at start()
    Failover f(env.strand, config(), StartOverride::active, env.writer);
    f.set_apply(apply);
    std::vector<Transition> told;
    f.on_transition([&](const Transition& t) { told.push_back(t); });
    auto sql = env.db.open();
    f.restore(*sql);
    CHECK(f.mode() == Mode::active);
    CHECK(rows(*sql) == 1);
    const auto last = load_last_transition(*sql);
    REQUIRE(last);
    CHECK(last->trigger == Trigger::startup);
    CHECK(last->actor == "admin:startup");
    CHECK(last->reason == "irra serve --active");
    active_at = last->at;
    CHECK(f.since() == active_at);
    CHECK(applied.back() == std::make_pair(Mode::active, active_at));
    irra::store::AuditChain audit(env.writer);
    f.start(audit);
    REQUIRE(env.run_until([&] { return !told.empty(); }));
    CHECK(told[0].to == Mode::active);
    CHECK(told[0].id == last->id);
    std::string metrics;
    f.render_prometheus(metrics);
    CHECK_THAT(metrics,
               Catch::Contains("irra_mode_transitions_total{to=\"active\",trigger=\"startup\"} 1"));
    f.stop();
  }
  {  // no flag: comes back ACTIVE, since = the transition's time
    Failover f(env.strand, config(), StartOverride::none, env.writer);
    f.set_apply(apply);
    auto sql = env.db.open();
    f.restore(*sql);
    CHECK(f.mode() == Mode::active);
    CHECK(f.since() == active_at);
    CHECK(applied.back() == std::make_pair(Mode::active, active_at));
    CHECK(rows(*sql) == 1);
  }
  {  // --active again: already ACTIVE, nothing new
    Failover f(env.strand, config(), StartOverride::active, env.writer);
    auto sql = env.db.open();
    f.restore(*sql);
    CHECK(rows(*sql) == 1);
  }
  {  // --standby: recorded, and automatic activation stays on even if configured off
    auto c = config();
    c.auto_activate = false;
    Failover f(env.strand, c, StartOverride::standby, env.writer);
    auto sql = env.db.open();
    f.restore(*sql);
    CHECK(f.mode() == Mode::standby);
    CHECK(f.auto_activate());
    CHECK(rows(*sql) == 2);
    CHECK(load_last_transition(*sql)->reason == "irra serve --standby");
    CHECK(irra::store::audit::verify(*sql).ok);
  }
  {  // without --standby, auto_activate false is kept
    auto c = config();
    c.auto_activate = false;
    Failover f(env.strand, c, StartOverride::none, env.writer);
    CHECK_FALSE(f.auto_activate());
  }
}

TEST_CASE(
    "the module: the main site goes down -> ACTIVE (durable), comes back -> RECOVERY, "
    "ctl commands",
    "[db]") {
  Env env;
  irra::failover::test::FakeHealthServer site(env.ioc);
  Failover f(env.strand, config({site.url()}), StartOverride::none, env.writer);
  std::vector<Mode> applied;
  f.set_apply([&](const Transition& t) { applied.push_back(t.to); });
  {
    auto sql = env.db.open();
    f.restore(*sql);
  }
  irra::store::AuditChain audit(env.writer);
  f.start(audit);
  REQUIRE(env.run_until([&] { return f.status()["main_site"] == "up"; }));
  CHECK(f.mode() == Mode::standby);

  site.status = 503;
  const auto down_at = std::chrono::steady_clock::now();
  REQUIRE(env.run_until([&] { return f.mode() == Mode::active; }));
  const auto took = std::chrono::steady_clock::now() - down_at;
  // 3 rounds of 100 ms: within interval x threshold + 1 s.
  CHECK(took < 1300ms);
  {
    auto sql = env.db.open();
    const auto last = load_last_transition(*sql);
    REQUIRE(last);
    CHECK(last->to == Mode::active);
    CHECK(last->trigger == Trigger::probe);
    CHECK_THAT(last->reason, Catch::Contains("1 of 1 targets failing"));
  }
  const auto status = f.status();
  CHECK(status["mode"] == "active");
  CHECK(status["main_site"] == "down");
  REQUIRE(status["probes"].size() == 1);
  CHECK(status["probes"][0]["last"] == "http_error");
  CHECK(status["probes"][0]["status"] == 503);
  std::string metrics;
  f.render_prometheus(metrics);
  CHECK_THAT(metrics, Catch::Contains("irra_probe_main_site_up 0"));
  CHECK_THAT(metrics, Catch::Contains("result=\"http_error\"}"));
  CHECK_THAT(metrics,
             Catch::Contains("irra_mode_transitions_total{to=\"active\",trigger=\"probe\"} 1"));

  site.status = 200;
  REQUIRE(env.run_until([&] { return f.mode() == Mode::recovery; }));

  std::optional<CommandResult> answer;
  f.command("activate", "admin:ctl", "second failure drill",
            [&](const CommandResult& r) { answer = r; });
  REQUIRE(env.run_until([&] { return answer.has_value(); }));
  CHECK(answer->ok);
  CHECK(answer->mode == Mode::active);
  answer.reset();
  f.command("standby", "admin:ctl", "", [&](const CommandResult& r) { answer = r; });
  REQUIRE(env.run_until([&] { return answer.has_value(); }));
  CHECK(answer->error == "invalid_transition");
  answer.reset();
  f.command("bogus", "admin:ctl", "", [&](const CommandResult& r) { answer = r; });
  REQUIRE(answer);
  CHECK(answer->error == "bad_request");
  f.stop();
  env.ioc.restart();
  env.ioc.run_for(50ms);
  CHECK(applied == std::vector<Mode>{Mode::standby, Mode::active, Mode::recovery, Mode::active});
  auto sql = env.db.open();
  CHECK(rows(*sql) == 3);
  CHECK(irra::store::audit::verify(*sql).ok);
}
