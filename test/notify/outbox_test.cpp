#include "irra/notify/outbox.hpp"

#include <soci/soci.h>

#include <catch2/catch.hpp>
#include <set>

#include "../store/test_db.hpp"
#include "irra/store/writer.hpp"

using irra::notify::insert_events;
using irra::notify::make_event;
using irra::notify::OutboxEvent;
using irra::store::test::TestDb;
using nlohmann::json;

namespace {

std::vector<OutboxEvent> events(std::size_t n, const std::string& prefix = "e") {
  std::vector<OutboxEvent> out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(
        make_event("irra.orders",
                   json{{"type", "order"}, {"event_id", prefix + std::to_string(i)}, {"seq", i}}));
  }
  return out;
}

}  // namespace

TEST_CASE("make_event keeps a given event_id and adds a random one otherwise") {
  const auto given = make_event("irra.trades", json{{"type", "trade"}, {"event_id", "abc"}});
  CHECK(given.event_id == "abc");
  CHECK(given.queue == "irra.trades");
  CHECK(json::parse(given.body) == json{{"type", "trade"}, {"event_id", "abc"}});

  const auto a = make_event("irra.notifications", json{{"type", "otp"}});
  const auto b = make_event("irra.notifications", json{{"type", "otp"}});
  CHECK(a.event_id.size() == 36);
  CHECK(a.event_id != b.event_id);
  CHECK(json::parse(a.body)["event_id"] == a.event_id);
}

TEST_CASE("make_event refuses what could not be delivered") {
  CHECK_THROWS_AS(make_event("", json{{"type", "x"}}), std::invalid_argument);
  CHECK_THROWS_AS(make_event("q", json::array()), std::invalid_argument);
  CHECK_THROWS_AS(make_event("q", json{{"event_id", 5}}), std::invalid_argument);
  CHECK_THROWS_AS(make_event("q", json{{"event_id", ""}}), std::invalid_argument);
  CHECK_THROWS_AS(make_event("q", json{{"event_id", std::string(65, 'x')}}), std::invalid_argument);
  CHECK_NOTHROW(make_event("q", json{{"event_id", std::string(64, 'x')}}));
}

TEST_CASE("insert_events writes each event once, also when the job runs again") {
  TestDb db;
  auto sql = db.open();
  for (const std::size_t n : {1, 3, 249, 250, 251, 1203}) {
    *sql << "DELETE FROM outbox";
    const auto evs = events(n, "n" + std::to_string(n) + "-");
    insert_events(*sql, evs);
    insert_events(*sql, evs);  // a re-run batch
    CHECK(TestDb::count(*sql, "outbox") == static_cast<long long>(n));
  }
  // In id order, with the body and queue as given.
  std::vector<std::string> ids(2000), queues(2000), bodies(2000);
  *sql << "SELECT event_id, queue, body FROM outbox ORDER BY id", soci::into(ids),
      soci::into(queues), soci::into(bodies);
  REQUIRE(ids.size() == 1203);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    REQUIRE(ids[i] == "n1203-" + std::to_string(i));
    REQUIRE(queues[i] == "irra.orders");
    REQUIRE(json::parse(bodies[i])["seq"] == i);
  }
}

TEST_CASE("insert_events stores quotes, backslashes and non-ASCII text intact") {
  TestDb db;
  auto sql = db.open();
  const std::string name = "O'Brien \"quoted\" back\\slash \xe0\xa4\xb9\xe0\xa4\xbf";
  insert_events(*sql, {make_event("irra.notifications", json{{"name", name}, {"event_id", "q1"}})});
  std::string body;
  *sql << "SELECT body FROM outbox WHERE event_id = 'q1'", soci::into(body);
  CHECK(json::parse(body)["name"] == name);
}

TEST_CASE("events written by writer jobs commit with the job's transaction") {
  TestDb db;
  irra::store::Writer writer(db.url(), db.open());
  const auto evs = events(10);
  REQUIRE(writer.submit([evs](soci::session& sql) {
    insert_events(sql, evs);
    throw std::runtime_error("the job fails after inserting");  // rolled back with it
  }));
  REQUIRE(writer.submit([evs](soci::session& sql) { insert_events(sql, {evs[0]}); }));
  REQUIRE(writer.drain_and_stop());
  auto sql = db.open();
  CHECK(TestDb::count(*sql, "outbox") == 1);
}

TEST_CASE("derived event ids are deterministic, distinct and UUID-shaped") {
  using irra::notify::derived_event_id;
  const auto a = derived_event_id("activation", {"17", "C1"});
  CHECK(a == derived_event_id("activation", {"17", "C1"}));
  CHECK(a != derived_event_id("activation", {"17", "C2"}));
  CHECK(a != derived_event_id("activation", {"18", "C1"}));
  CHECK(derived_event_id("k", {"ab", "c"}) != derived_event_id("k", {"a", "bc"}));
  REQUIRE(a.size() == 36);
  CHECK(a[8] == '-');
  CHECK(a[14] == '8');  // version 8
  CHECK(std::string("89ab").find(a[19]) != std::string::npos);
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(derived_event_id("t", {std::to_string(i)}));
  CHECK(ids.size() == 10000);
}
