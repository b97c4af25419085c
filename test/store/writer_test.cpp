#include "irra/store/writer.hpp"

#include <soci/soci.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <numeric>
#include <thread>

#include "test_db.hpp"
#include "test_helpers.hpp"

using irra::store::WriteJob;
using irra::store::Writer;
using irra::store::WriteResult;
using irra::store::WriterOptions;
using irra::store::test::eventually;
using irra::store::test::Gate;
using irra::store::test::Log;
using irra::store::test::TestDb;
using namespace std::chrono_literals;

namespace {

WriteJob insert_kv(long long k) {
  return [k](soci::session& sql) {
    long long key = k;
    sql << "INSERT INTO kv (k, v) VALUES (:k, 'x')", soci::use(key);
  };
}

std::unique_ptr<soci::session> open_with_kv(const TestDb& db) {
  auto sql = db.open();
  TestDb::create_kv_table(*sql);
  return sql;
}

}  // namespace

TEST_CASE("queued jobs commit as one batch and complete in submission order") {
  TestDb db;
  Writer writer(db.url(), open_with_kv(db));
  Gate gate;
  REQUIRE(writer.submit(gate.job()));
  gate.wait_started();
  Log log;
  for (int i = 0; i < 100; ++i) REQUIRE(writer.submit(insert_kv(i), log.record(i)));
  CHECK(writer.stats().backlog == 101);
  gate.open();
  REQUIRE(writer.drain_and_stop());

  REQUIRE(log.entries.size() == 100);
  for (int i = 0; i < 100; ++i) {
    CHECK(log.entries[i].first == i);
    CHECK(log.entries[i].second.ok);
  }
  const auto s = writer.stats();
  CHECK(s.batches_committed == 2);  // the gate's batch, then all 100 together
  CHECK(s.jobs_committed == 101);
  CHECK(s.backlog == 0);
  CHECK(s.latency_count == 2);
  CHECK(std::accumulate(s.latency_buckets.begin(), s.latency_buckets.end(), 0ULL) == 2);
  auto check = db.open();
  CHECK(TestDb::count(*check, "kv") == 100);
}

TEST_CASE("the batch limit splits a long queue into several transactions") {
  TestDb db;
  WriterOptions opt;
  opt.batch_limit = 10;
  Writer writer(db.url(), open_with_kv(db), opt);
  Gate gate;
  REQUIRE(writer.submit(gate.job()));
  gate.wait_started();
  for (int i = 0; i < 35; ++i) REQUIRE(writer.submit(insert_kv(i)));
  gate.open();
  REQUIRE(writer.drain_and_stop());
  CHECK(writer.stats().batches_committed == 1 + 4);  // 10 + 10 + 10 + 5
  auto check = db.open();
  CHECK(TestDb::count(*check, "kv") == 35);
}

TEST_CASE("submit is refused and counted when the backlog is full") {
  TestDb db;
  WriterOptions opt;
  opt.capacity = 4;
  Writer writer(db.url(), open_with_kv(db), opt);
  Gate gate;
  REQUIRE(writer.submit(gate.job()));
  gate.wait_started();
  CHECK(writer.submit(insert_kv(1)));
  CHECK(writer.submit(insert_kv(2)));
  CHECK(writer.submit(insert_kv(3)));
  bool ran = false;
  CHECK_FALSE(writer.submit(insert_kv(4), [&ran](const WriteResult&) { ran = true; }));
  CHECK(writer.stats().refused == 1);
  CHECK(writer.stats().backlog == 4);
  gate.open();
  REQUIRE(eventually([&] { return writer.stats().backlog == 0; }));
  CHECK(writer.submit(insert_kv(5)));  // room again once committed
  REQUIRE(writer.drain_and_stop());
  CHECK_FALSE(ran);
  auto check = db.open();
  CHECK(TestDb::count(*check, "kv") == 4);
}

TEST_CASE("a batch that fails on the database is rolled back and retried in order") {
  TestDb db;
  WriterOptions opt;
  opt.backoff_initial = 100ms;
  Writer writer(db.url(), open_with_kv(db), opt);
  Gate gate;
  REQUIRE(writer.submit(gate.job()));
  gate.wait_started();

  Log log;
  auto failures = std::make_shared<std::atomic<int>>(2);
  REQUIRE(writer.submit(insert_kv(1), log.record(1)));
  REQUIRE(writer.submit(
      [failures](soci::session& sql) {
        long long key = 2;
        sql << "INSERT INTO kv (k, v) VALUES (:k, 'x')", soci::use(key);
        // Fails after its own insert and job 1's: both must be rolled back, or the retry
        // would hit their primary keys.
        if (failures->fetch_sub(1) > 0) throw soci::soci_error("simulated lost connection");
      },
      log.record(2)));
  REQUIRE(writer.submit(insert_kv(3), log.record(3)));
  gate.open();

  REQUIRE(eventually([&] { return !writer.healthy(); }));
  CHECK(writer.last_error().find("simulated lost connection") != std::string::npos);
  REQUIRE(writer.drain_and_stop());
  CHECK(writer.healthy());

  REQUIRE(log.entries.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(log.entries[i].first == i + 1);
    CHECK(log.entries[i].second.ok);
  }
  const auto s = writer.stats();
  CHECK(s.batch_failures == 2);
  CHECK(s.reconnects == 2);
  auto check = db.open();
  CHECK(TestDb::count(*check, "kv") == 3);
}

TEST_CASE("a job that throws a logic error fails alone") {
  TestDb db;
  Writer writer(db.url(), open_with_kv(db));
  Gate gate;
  REQUIRE(writer.submit(gate.job()));
  gate.wait_started();
  Log log;
  REQUIRE(writer.submit(insert_kv(1), log.record(1)));
  REQUIRE(writer.submit(
      [](soci::session& sql) {
        sql << "INSERT INTO kv (k, v) VALUES (99, 'x')";
        throw std::invalid_argument("refused input");
      },
      log.record(2)));
  REQUIRE(writer.submit(insert_kv(3), log.record(3)));
  gate.open();
  REQUIRE(writer.drain_and_stop());

  REQUIRE(log.entries.size() == 3);
  CHECK(log.entries[0].second.ok);
  CHECK_FALSE(log.entries[1].second.ok);
  CHECK(log.entries[1].second.error == "refused input");
  CHECK(log.entries[2].second.ok);
  CHECK(writer.healthy());
  CHECK(writer.stats().jobs_failed == 1);
  CHECK(writer.stats().jobs_committed == 3);  // gate, 1, 3
  auto check = db.open();
  CHECK(TestDb::count(*check, "kv") == 2);
  long long failed_row = 0;
  *check << "SELECT COUNT(*) FROM kv WHERE k = 99", soci::into(failed_row);
  CHECK(failed_row == 0);
}

TEST_CASE("drain_and_stop commits everything queued and then refuses work") {
  TestDb db;
  Writer writer(db.url(), open_with_kv(db));
  std::atomic<int> completed{0};
  for (int i = 0; i < 2000; ++i) {
    REQUIRE(writer.submit(insert_kv(i), [&completed](const WriteResult& r) {
      if (r.ok) ++completed;
    }));
  }
  REQUIRE(writer.drain_and_stop());
  CHECK(completed == 2000);
  CHECK_FALSE(writer.submit(insert_kv(5000)));
  auto check = db.open();
  CHECK(TestDb::count(*check, "kv") == 2000);
}

TEST_CASE("drain_and_stop gives up at its deadline while the database stays down") {
  TestDb db;
  WriterOptions opt;
  opt.backoff_initial = 20ms;
  opt.backoff_max = 50ms;
  Writer writer(db.url(), open_with_kv(db), opt);
  Log log;
  REQUIRE(writer.submit([](soci::session&) { throw soci::soci_error("database is down"); },
                        log.record(1)));
  REQUIRE(writer.submit(insert_kv(2), log.record(2)));
  REQUIRE(eventually([&] { return writer.stats().batch_failures >= 2; }));
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(writer.drain_and_stop(300ms));
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  REQUIRE(log.entries.size() == 2);
  CHECK_FALSE(log.entries[0].second.ok);
  CHECK_FALSE(log.entries[1].second.ok);
  CHECK_FALSE(writer.healthy());
}

TEST_CASE("a completion given an executor runs on that executor's thread") {
  TestDb db;
  Writer writer(db.url(), open_with_kv(db));
  boost::asio::io_context io;
  std::thread::id ran_on;
  bool ok = false;
  REQUIRE(writer.submit(insert_kv(1), io.get_executor(), [&](const WriteResult& r) {
    ran_on = std::this_thread::get_id();
    ok = r.ok;
  }));
  // The posted completion keeps no work guard: poll until it arrives.
  REQUIRE(eventually([&] {
    io.poll();
    io.restart();
    return ok;
  }));
  CHECK(ran_on == std::this_thread::get_id());
}

TEST_CASE("a locked SQLite database holds the batch until the lock is released") {
  TestDb db;
  if (db.is_mysql()) return;  // SQLite's locking; MySQL has the killed-connection test
  irra::store::DbUrl url = db.url();
  url.sqlite_busy_timeout_ms = 20;
  WriterOptions opt;
  opt.backoff_initial = 20ms;
  opt.backoff_max = 100ms;
  auto first = irra::store::open(url);
  TestDb::create_kv_table(*first);
  Writer writer(url, std::move(first), opt);

  auto locker = irra::store::connect(url);
  *locker << "BEGIN EXCLUSIVE";
  Log log;
  REQUIRE(writer.submit(insert_kv(1), log.record(1)));
  REQUIRE(eventually([&] { return !writer.healthy(); }));
  CHECK(writer.last_error().find("locked") != std::string::npos);
  *locker << "COMMIT";
  REQUIRE(eventually([&] { return writer.healthy(); }));
  REQUIRE(writer.drain_and_stop());
  REQUIRE(log.entries.size() == 1);
  CHECK(log.entries[0].second.ok);
  CHECK(TestDb::count(*locker, "kv") == 1);
}

TEST_CASE("a killed MySQL connection is reopened and the batch retried") {
  TestDb db;
  if (!db.is_mysql()) return;
  WriterOptions opt;
  opt.backoff_initial = 20ms;
  Writer writer(db.url(), open_with_kv(db), opt);
  std::promise<long long> id_promise;
  REQUIRE(writer.submit([&id_promise](soci::session& sql) {
    long long id = 0;
    sql << "SELECT CONNECTION_ID()", soci::into(id);
    id_promise.set_value(id);
  }));
  const long long id = id_promise.get_future().get();
  REQUIRE(eventually([&] { return writer.stats().backlog == 0; }));

  auto admin = db.open();
  *admin << "KILL CONNECTION " + std::to_string(id);
  Log log;
  for (int i = 0; i < 10; ++i) REQUIRE(writer.submit(insert_kv(i), log.record(i)));
  REQUIRE(writer.drain_and_stop());
  REQUIRE(log.entries.size() == 10);
  for (int i = 0; i < 10; ++i) {
    CHECK(log.entries[i].first == i);
    CHECK(log.entries[i].second.ok);
  }
  CHECK(writer.stats().reconnects >= 1);
  CHECK(TestDb::count(*admin, "kv") == 10);
}

TEST_CASE("on SQLite a batch that reads first is not failed by another connection's commit") {
  irra::store::test::TestDb db;
  if (db.is_mysql()) return;  // SQLite's snapshot rule; MySQL locks rows instead
  {
    auto setup = db.open();
    irra::store::test::TestDb::create_kv_table(*setup);
  }
  Writer writer(db.url(), db.open());
  std::promise<void> read, go;
  auto go_now = go.get_future().share();
  // A job that reads before it writes (as an audit append does: the chain head first).
  auto told = std::make_shared<std::atomic<bool>>(false);
  REQUIRE(writer.submit([&read, go_now, told](soci::session& sql) {
    long long n = 0;
    sql << "SELECT COUNT(*) FROM kv", soci::into(n);
    if (!told->exchange(true)) read.set_value();  // a retried batch runs the job again
    go_now.wait();
    sql << "INSERT INTO kv (k, v) VALUES (1, 'writer')";
  }));
  read.get_future().wait();
  // Another process (a tool beside the server) writes meanwhile: it must wait for the
  // writer's transaction rather than commit under it and fail the writer's batch.
  auto other = std::async(std::launch::async, [&db] {
    auto sql = irra::store::connect(db.url());
    *sql << "INSERT INTO kv (k, v) VALUES (2, 'tool')";
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  go.set_value();
  other.get();
  REQUIRE(writer.drain_and_stop());
  CHECK(writer.stats().batch_failures == 0);
  auto sql = db.open();
  CHECK(irra::store::test::TestDb::count(*sql, "kv") == 2);
}

TEST_CASE("a database call running past the stall threshold makes the writer unhealthy until it returns") {
  TestDb db;
  WriterOptions opt;
  opt.stall_threshold = 100ms;
  Writer writer(db.url(), open_with_kv(db), opt);
  Gate gate;  // a commit that hangs, as on a frozen server
  REQUIRE(writer.submit(gate.job()));
  gate.wait_started();
  CHECK(writer.healthy());  // not yet past the threshold
  CHECK_FALSE(writer.stats().stalled);
  REQUIRE(eventually([&] { return !writer.healthy(); }));
  const auto s = writer.stats();
  CHECK_FALSE(s.healthy);
  CHECK(s.stalled);
  CHECK(s.stalled_ms >= 100);
  CHECK(s.backlog == 1);
  const std::string error = writer.last_error();
  CHECK(error.starts_with("the database has not answered for "));
  CHECK(error.ends_with(" ms"));
  // Still accepted meanwhile (bounded by the capacity): the backlog shows it.
  REQUIRE(writer.submit(insert_kv(1)));
  CHECK(writer.stats().backlog == 2);

  gate.open();
  REQUIRE(eventually([&] { return writer.healthy() && writer.stats().backlog == 0; }));
  CHECK_FALSE(writer.stats().stalled);
  CHECK(writer.stats().stalled_ms == 0);
  CHECK(writer.last_error().empty());
  REQUIRE(writer.drain_and_stop());
  auto check = db.open();
  CHECK(TestDb::count(*check, "kv") == 1);
}

TEST_CASE("a stall threshold of zero never reports a stall") {
  TestDb db;
  WriterOptions opt;
  opt.stall_threshold = 0ms;
  Writer writer(db.url(), open_with_kv(db), opt);
  Gate gate;
  REQUIRE(writer.submit(gate.job()));
  gate.wait_started();
  std::this_thread::sleep_for(50ms);
  CHECK(writer.healthy());
  CHECK_FALSE(writer.stats().stalled);
  gate.open();
  REQUIRE(writer.drain_and_stop());
}
