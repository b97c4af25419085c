#include "irra/notify/activation.hpp"

#include <soci/soci.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <set>

#include "../store/test_db.hpp"
#include "irra/notify/outbox.hpp"

using irra::domain::Client;
using irra::notify::activation_event_id;
using irra::notify::queue_activation_notices;
using irra::store::test::TestDb;
using nlohmann::json;

namespace {

std::vector<Client> clients(std::size_t n) {
  std::vector<Client> out;
  for (std::size_t i = 0; i < n; ++i) {
    Client c;
    c.ucc = "U" + std::to_string(100000 + i);
    c.name = "Client " + std::to_string(i);
    c.mobile = "98" + std::to_string(10000000 + i);
    c.email = "c" + std::to_string(i) + "@example.com";
    c.eligible = i % 10 != 0;  // every tenth is an algo client
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

TEST_CASE("activation notices: one per eligible client, and queueing again writes nothing new") {
  TestDb db;
  irra::store::Writer writer(db.url(), db.open());
  std::atomic<int> done_calls{0};
  std::atomic<bool> done_ok{false};
  irra::notify::ActivationOptions opts;
  opts.clients_per_job = 300;
  const auto on_done = [&](const irra::store::WriteResult& r) {
    done_ok = r.ok;
    ++done_calls;
  };
  REQUIRE(
      queue_activation_notices(writer, clients(1000), "https://irra.example", "42", on_done, opts));
  REQUIRE(queue_activation_notices(writer, clients(1000), "https://irra.example", "42", {}, opts));
  REQUIRE(writer.drain_and_stop());
  CHECK(done_calls == 1);  // once, after the last of its jobs
  CHECK(done_ok);

  auto sql = db.open();
  std::vector<std::string> ids(2000), queues(2000), bodies(2000);
  *sql << "SELECT event_id, queue, body FROM outbox ORDER BY id", soci::into(ids),
      soci::into(queues), soci::into(bodies);
  REQUIRE(ids.size() == 900);
  std::set<std::string> uccs;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto m = json::parse(bodies[i]);
    REQUIRE(queues[i] == "irra.notifications");
    REQUIRE(m["type"] == "activation");
    REQUIRE(m["url"] == "https://irra.example");
    REQUIRE(m["event_id"] == ids[i]);
    REQUIRE(ids[i] == activation_event_id("42", m["ucc"].get<std::string>()));
    const auto n = std::stoi(m["ucc"].get<std::string>().substr(1)) - 100000;
    REQUIRE(n % 10 != 0);
    REQUIRE(m["mobile"] == "98" + std::to_string(10000000 + n));
    REQUIRE(m["email"] == "c" + std::to_string(n) + "@example.com");
    uccs.insert(m["ucc"].get<std::string>());
  }
  CHECK(uccs.size() == 900);
}

TEST_CASE("another transition notifies everyone again, under new ids") {
  CHECK(activation_event_id("1", "C1") != activation_event_id("2", "C1"));
  TestDb db;
  irra::store::Writer writer(db.url(), db.open());
  REQUIRE(queue_activation_notices(writer, clients(20), "https://x", "1"));
  REQUIRE(queue_activation_notices(writer, clients(20), "https://x", "2"));
  REQUIRE(writer.drain_and_stop());
  auto sql = db.open();
  CHECK(TestDb::count(*sql, "outbox") == 36);
}

TEST_CASE("no eligible client: done runs at once and nothing is written") {
  TestDb db;
  irra::store::Writer writer(db.url(), db.open());
  bool called = false;
  REQUIRE(queue_activation_notices(writer, {}, "https://x", "1",
                                   [&](const irra::store::WriteResult& r) { called = r.ok; }));
  CHECK(called);
}

TEST_CASE("a writer that refuses: false, and done still runs once with the error") {
  TestDb db;
  irra::store::Writer writer(db.url(), db.open());
  writer.drain_and_stop();  // refuses from now on
  int calls = 0;
  bool ok = true;
  CHECK_FALSE(queue_activation_notices(writer, clients(50), "https://x", "1",
                                       [&](const irra::store::WriteResult& r) {
                                         ok = r.ok;
                                         ++calls;
                                       }));
  CHECK(calls == 1);
  CHECK_FALSE(ok);
}
