#include <soci/soci.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <thread>
#include <vector>

#include "irra/store/audit.hpp"
#include "test_db.hpp"
#include "test_helpers.hpp"

using irra::store::AuditChain;
using irra::store::AuditEvent;
using irra::store::Writer;
using irra::store::WriterOptions;
using irra::store::test::Gate;
using irra::store::test::TestDb;
using namespace std::chrono_literals;
namespace audit = irra::store::audit;

namespace {

AuditEvent event(int i) {
  AuditEvent e;
  e.type = i % 2 ? "investor.login" : "investor.square_off";
  e.actor = "investor:C" + std::to_string(i % 3);
  e.ucc = "C" + std::to_string(i % 3);
  e.ip = "10.0.0." + std::to_string(i);
  e.user_agent = "test-agent";
  e.detail = "{\"i\":" + std::to_string(i) + "}";
  return e;
}

// Appends n events through a writer and waits for them to commit.
void append_events(const TestDb& db, int first, int n) {
  Writer writer(db.url(), db.open());
  AuditChain chain(writer);
  for (int i = first; i < first + n; ++i) REQUIRE(chain.append(event(i)));
  REQUIRE(writer.drain_and_stop());
}

}  // namespace

TEST_CASE("appended audit records chain from the genesis hash") {
  TestDb db;
  append_events(db, 0, 5);
  auto sql = db.open();
  const auto v = audit::verify(*sql);
  CHECK(v.ok);
  CHECK(v.records == 5);
  CHECK(v.first_bad_seq == 0);
  CHECK(v.reason.empty());

  const auto page = audit::query(*sql, {}, 10, 0);
  REQUIRE(page.records.size() == 5);
  const auto& first = page.records.back();
  CHECK(first.seq == 1);
  CHECK(first.prev_hash == irra::store::audit_genesis_hash);
  CHECK(first.hash == irra::store::audit_hash(1, first.event, first.prev_hash));
  AuditEvent expected = event(0);
  expected.ts = first.event.ts;  // filled in by append()
  CHECK(first.event == expected);
  CHECK(first.event.ts.size() == 27);
  CHECK(page.records[0].prev_hash == page.records[1].hash);
}

TEST_CASE("the audit hash covers every field and tells absent from empty") {
  AuditEvent e = event(1);
  e.ts = "2024-12-02T09:15:00.000000Z";
  const std::string prev(irra::store::audit_genesis_hash);
  const std::string h = irra::store::audit_hash(7, e, prev);
  CHECK(h.size() == 64);
  CHECK(h.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(irra::store::audit_hash(7, e, prev) == h);  // deterministic

  std::vector<AuditEvent> variants(9, e);
  variants[0].ts = "2024-12-02T09:15:00.000001Z";
  variants[1].type = "x";
  variants[2].actor = "x";
  variants[3].ucc = "";  // empty is not absent
  variants[4].ucc.reset();
  variants[5].ip.reset();
  variants[6].user_agent = "other";
  variants[7].detail.reset();
  // Moving a character between two fields must change the hash (length prefixes).
  variants[8].type = e.type + e.actor.substr(0, 1);
  variants[8].actor = e.actor.substr(1);
  for (const auto& v : variants) CHECK(irra::store::audit_hash(7, v, prev) != h);
  CHECK(irra::store::audit_hash(8, e, prev) != h);
  CHECK(irra::store::audit_hash(7, e, std::string(64, '1')) != h);
}

TEST_CASE("verify detects an edited field") {
  TestDb db;
  append_events(db, 0, 6);
  auto sql = db.open();
  *sql << "UPDATE audit_log SET actor = 'staff:mallory' WHERE seq = 3";
  const auto v = audit::verify(*sql);
  CHECK_FALSE(v.ok);
  CHECK(v.first_bad_seq == 3);
  CHECK(v.reason.find("hash") != std::string::npos);
}

TEST_CASE("verify detects an edit whose hash was recomputed") {
  TestDb db;
  append_events(db, 0, 6);
  auto sql = db.open();
  auto rec = audit::query(*sql, {}, 10, 0).records.at(6 - 3);
  REQUIRE(rec.seq == 3);
  rec.event.detail = "{\"forged\":true}";
  const std::string forged = irra::store::audit_hash(3, rec.event, rec.prev_hash);
  *sql << "UPDATE audit_log SET detail = :d, hash = :h WHERE seq = 3", soci::use(*rec.event.detail),
      soci::use(forged);
  const auto v = audit::verify(*sql);
  CHECK_FALSE(v.ok);
  CHECK(v.first_bad_seq == 4);  // record 4 still points at the true hash of 3
}

TEST_CASE("verify detects a deleted record") {
  TestDb db;
  append_events(db, 0, 6);
  auto sql = db.open();
  SECTION("leaving a gap") {
    *sql << "DELETE FROM audit_log WHERE seq = 3";
    const auto v = audit::verify(*sql);
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == 3);
    CHECK(v.reason.find("missing") != std::string::npos);
  }
  SECTION("and renumbering the rest") {
    *sql << "DELETE FROM audit_log WHERE seq = 3";
    for (int s = 4; s <= 6; ++s) {
      *sql << "UPDATE audit_log SET seq = :n WHERE seq = :s", soci::use(s - 1), soci::use(s);
    }
    const auto v = audit::verify(*sql);
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == 3);
  }
}

TEST_CASE("verify detects reordered records") {
  TestDb db;
  append_events(db, 0, 6);
  auto sql = db.open();
  *sql << "UPDATE audit_log SET seq = 100 WHERE seq = 2";
  *sql << "UPDATE audit_log SET seq = 2 WHERE seq = 3";
  *sql << "UPDATE audit_log SET seq = 3 WHERE seq = 100";
  const auto v = audit::verify(*sql);
  CHECK_FALSE(v.ok);
  CHECK(v.first_bad_seq == 2);
}

TEST_CASE("the chain continues across writer restarts") {
  TestDb db;
  append_events(db, 0, 3);
  append_events(db, 3, 4);
  auto sql = db.open();
  const auto v = audit::verify(*sql);
  CHECK(v.ok);
  CHECK(v.records == 7);
}

TEST_CASE("a retried batch neither forks nor skips the audit chain") {
  TestDb db;
  WriterOptions opt;
  opt.backoff_initial = 10ms;
  Writer writer(db.url(), db.open(), opt);
  AuditChain chain(writer);
  REQUIRE(chain.append(event(0)));  // committed before the failing batch
  Gate gate;
  REQUIRE(writer.submit(gate.job()));
  gate.wait_started();
  // One batch: two records, a job failing twice on the database, a job failing on a logic
  // error (re-run without it), then two more records.
  auto failures = std::make_shared<std::atomic<int>>(2);
  REQUIRE(chain.append(event(1)));
  REQUIRE(chain.append(event(2)));
  REQUIRE(writer.submit([failures](soci::session&) {
    if (failures->fetch_sub(1) > 0) throw soci::soci_error("simulated failure");
  }));
  REQUIRE(writer.submit([](soci::session&) { throw std::logic_error("bug"); }));
  REQUIRE(chain.append(event(3)));
  REQUIRE(chain.append(event(4)));
  gate.open();
  REQUIRE(writer.drain_and_stop());
  CHECK(writer.stats().batch_failures == 2);

  auto sql = db.open();
  const auto v = audit::verify(*sql);
  CHECK(v.ok);
  CHECK(v.records == 5);
  const auto page = audit::query(*sql, {}, 10, 0);
  REQUIRE(page.records.size() == 5);
  for (int i = 0; i < 5; ++i) {
    CHECK(page.records[i].seq == 5 - i);
    CHECK(*page.records[i].event.detail == "{\"i\":" + std::to_string(4 - i) + "}");
  }
}

TEST_CASE("an audit event stored already is not stored twice") {
  TestDb db;
  auto sql = db.open();
  AuditEvent e = event(1);
  e.ts = AuditChain::now_ts();
  const auto a = AuditChain::append_in(*sql, e);
  const auto b = AuditChain::append_in(*sql, e);
  CHECK(a.seq == 1);
  CHECK(b.seq == 1);
  CHECK(b.hash == a.hash);
  e.detail = "{\"other\":1}";
  CHECK(AuditChain::append_in(*sql, e).seq == 2);
  CHECK(TestDb::count(*sql, "audit_log") == 2);
  CHECK(audit::verify(*sql).ok);
}

TEST_CASE("tools and the writer append to the same chain") {
  TestDb db;
  append_events(db, 0, 2);
  {
    auto sql = db.open();
    sql->begin();
    const auto r = AuditChain::append_in(*sql, event(2));
    sql->commit();
    CHECK(r.seq == 3);
  }
  append_events(db, 3, 2);
  auto sql = db.open();
  const auto v = audit::verify(*sql);
  CHECK(v.ok);
  CHECK(v.records == 5);
}

TEST_CASE("outside text is cut to the column sizes as valid UTF-8 before it is stored") {
  TestDb db;
  auto sql = db.open();
  AuditEvent e = event(1);
  e.user_agent = std::string("bad\xff\xc3(") + std::string(600, 'a');
  e.ip = std::string(100, '9');
  e.ucc = std::string(31, 'x') + "\xe2\x82\xac";  // the 32nd character is the euro sign
  const auto r = AuditChain::append_in(*sql, e);
  CHECK(r.event.user_agent->substr(0, 10) == "bad\xef\xbf\xbd\xef\xbf\xbd(");
  CHECK(r.event.user_agent->size() == 512 + 4);  // two 3-byte replacement characters
  CHECK(r.event.ip->size() == 64);
  CHECK(*r.event.ucc == std::string(31, 'x') + "\xe2\x82\xac");
  const auto page = audit::query(*sql, {}, 10, 0);
  REQUIRE(page.records.size() == 1);
  CHECK(page.records[0].event == r.event);
  CHECK(page.records[0].chain_ok);
  CHECK(audit::verify(*sql).ok);
}

namespace {

// Appends through the writer and waits for the commit.
void append_committed_by(AuditChain& chain, const AuditEvent& e) {
  std::promise<irra::store::WriteResult> p;
  auto f = p.get_future();
  REQUIRE(chain.append(e, [&p](const irra::store::WriteResult& r) { p.set_value(r); }));
  REQUIRE(f.get().ok);
}

}  // namespace

TEST_CASE("a tool appending beside a running writer is followed without a failed batch") {
  TestDb db;
  Writer writer(db.url(), db.open());
  AuditChain chain(writer);
  append_committed_by(chain, event(0));
  {
    auto sql = db.open();
    const auto r = AuditChain::append_committed(*sql, event(1));
    CHECK(r.seq == 2);
  }
  // The writer must not insert after a head it remembers (seq 1): that would fail the
  // batch on the taken seq, drop the connection and report the database unhealthy.
  append_committed_by(chain, event(2));
  CHECK(writer.stats().batch_failures == 0);
  CHECK(writer.healthy());
  REQUIRE(writer.drain_and_stop());
  auto sql = db.open();
  const auto v = audit::verify(*sql);
  CHECK(v.ok);
  CHECK(v.records == 3);
}

TEST_CASE("the writer and tools appending at the same time make one unbroken chain") {
  TestDb db;
  WriterOptions opt;
  opt.backoff_initial = 5ms;
  Writer writer(db.url(), db.open(), opt);
  AuditChain chain(writer);
  constexpr int by_writer = 150;
  constexpr int tools = 2;
  constexpr int per_tool = 25;
  std::atomic<int> writer_ok{0};
  std::atomic<int> refused{0};
  std::thread producer([&] {  // no Catch assertions off the test's thread
    for (int i = 0; i < by_writer; ++i) {
      const bool queued = chain.append(event(i), [&](const irra::store::WriteResult& r) {
        if (r.ok) ++writer_ok;
      });
      if (!queued) ++refused;
      if (i % 10 == 0) std::this_thread::sleep_for(1ms);
    }
  });
  std::vector<std::future<int>> done;
  for (int t = 0; t < tools; ++t) {
    done.push_back(std::async(std::launch::async, [&db, t] {
      auto sql = db.open();
      int n = 0;
      for (int i = 0; i < per_tool; ++i) {
        AuditEvent e = event(1000 + 100 * t + i);
        e.actor = "system:tool" + std::to_string(t);
        // A tool transaction (with nothing of its own to write), retried on conflicts.
        const auto r = AuditChain::append_committed(
            *sql, e, [](soci::session&) {}, 50);
        n += r.seq > 0 ? 1 : 0;
      }
      return n;
    }));
  }
  producer.join();
  int by_tools = 0;
  for (auto& f : done) by_tools += f.get();
  REQUIRE(writer.drain_and_stop());
  CHECK(refused == 0);
  CHECK(writer_ok == by_writer);
  CHECK(by_tools == tools * per_tool);
  auto sql = db.open();
  const auto v = audit::verify(*sql);
  CHECK(v.ok);
  CHECK(v.records == by_writer + tools * per_tool);
  CHECK(TestDb::count(*sql, "audit_log") == by_writer + tools * per_tool);
}

TEST_CASE("append_committed runs the tool's writes and the record in one transaction") {
  TestDb db;
  auto sql = db.open();
  TestDb::create_kv_table(*sql);
  // The tool's write fails: neither it nor the audit record stays.
  CHECK_THROWS(AuditChain::append_committed(*sql, event(1), [](soci::session& s) {
    s << "INSERT INTO kv (k, v) VALUES (1, 'a')";
    throw std::runtime_error("tool failed");
  }));
  CHECK(TestDb::count(*sql, "kv") == 0);
  CHECK(TestDb::count(*sql, "audit_log") == 0);
  const auto r = AuditChain::append_committed(
      *sql, event(2), [](soci::session& s) { s << "INSERT INTO kv (k, v) VALUES (2, 'b')"; });
  CHECK(r.seq == 1);
  CHECK(TestDb::count(*sql, "kv") == 1);
  CHECK(audit::verify(*sql).ok);
}
