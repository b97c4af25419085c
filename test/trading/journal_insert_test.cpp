// The journal's bulk insert: every path (multi-row statements with the writer's statement
// cache, without it, one row per statement, MySQL's bulk protocol and its text fallback)
// stores the same values, which read back field for field; a batch written twice adds
// nothing; the fast timestamp text is domain::format_iso8601's.
#include "../../src/trading/journal_insert.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "engine_env.hpp"
#include "irra/store/session_cache.hpp"

using namespace irra;
using namespace irra::trading;
using namespace irra::trading::detail;
using namespace irra::trading::test;

namespace {

// Rows of every kind, with the awkward values: quotes, backslashes, multi-byte text, the
// longest text the schema takes, no OrdRejReason and one, times on many days.
std::vector<JournalRow> sample_rows(std::size_t n, const std::string& tag) {
  std::vector<JournalRow> rows;
  for (std::size_t k = 0; k < n; ++k) {
    JournalRow row;
    const std::string id = tag + std::to_string(k);
    auto& r = row.report;
    switch (k % 5) {
      case 0:
      case 1:
        row.kind = JournalKind::exec;
        r = k % 2 == 0 ? new_report("E" + id, "O" + id, domain::Side::buy, 10 + k)
                       : fill_report("E" + id, "O" + id, domain::Side::sell, 10, 4, 245005, 4);
        row.session = "DC";
        row.in_seq = k + 1;
        break;
      case 2:
        row.kind = JournalKind::order_new;
        r.cl_ord_id = "IR20241202-" + id;
        r.order_id = r.cl_ord_id;
        r.ucc = "C2";
        r.instrument_id = "NSE:NIFTY24DEC24000CE";
        r.product = domain::Product::nrml;
        r.side = domain::Side::sell;
        r.order_qty = 75;
        r.ord_type = domain::OrderType::limit;
        r.price = 12005;
        r.transact_time = 1'733'130'900'123'456 + static_cast<domain::Timestamp>(k);
        row.origin = "staff";
        row.actor = "ops's \"desk\" \\ 1";
        row.idempotency_key = "key-" + id;
        row.reason = "risk: ₹ limit ✓";
        break;
      case 3:
        row.kind = JournalKind::order_fail;
        r.cl_ord_id = "IR20241202-" + id;
        r.order_id = r.cl_ord_id;
        r.ucc = "C2";
        r.instrument_id = "NSE:RELIANCE";
        r.text = std::string(512, k % 2 == 0 ? 'x' : '\'');
        r.transact_time = 1'733'131'000'000'000;
        break;
      default: {
        row.kind = JournalKind::exec;
        r = new_report("R" + id, "O" + id, domain::Side::buy, 5, "C3");
        r.exec_type = domain::ExecType::rejected;
        r.ord_status = domain::OrderStatus::rejected;
        r.leaves_qty = 0;
        r.text = "bad price; DROP TABLE journal; -- \\'";
        r.rej_reason = 5;
        row.session = "OE";
        row.in_seq = k + 1;
      }
    }
    row.received_at = 1'733'130'960'000'001 + static_cast<domain::Timestamp>(k) * 86'400'000'000;
    rows.push_back(std::move(row));
  }
  return rows;
}

// The fields read_journal gives back, as comparable text.
std::string text_of(const JournalRow& row) {
  const auto& r = row.report;
  std::string s =
      std::string(to_string(row.kind)) + '|' + row.session + '|' + std::to_string(row.in_seq) +
      '|' + r.exec_id + '|' + r.order_id + '|' + r.cl_ord_id + '|' + r.orig_cl_ord_id + '|' +
      r.ucc + '|' + r.instrument_id + '|' + std::string(domain::to_string(r.product)) + '|' +
      std::string(domain::to_string(r.side)) + '|' + std::string(domain::to_string(r.exec_type)) +
      '|' + std::string(domain::to_string(r.ord_status)) + '|' + std::to_string(r.order_qty) + '|' +
      std::string(domain::to_string(r.ord_type)) + '|' + std::to_string(r.price) + '|' +
      std::to_string(r.last_qty) + '|' + std::to_string(r.last_px) + '|' +
      std::to_string(r.cum_qty) + '|' + std::to_string(r.leaves_qty) + '|' +
      std::to_string(r.avg_px) + '|' + std::to_string(r.transact_time) + '|' + r.text + '|' +
      (r.rej_reason ? std::to_string(*r.rej_reason) : "-") + '|' + row.origin + '|' + row.actor +
      '|' + row.idempotency_key + '|' + row.reason + '|' + std::to_string(row.received_at);
  return s;
}

std::vector<std::string> read_back(soci::session& sql) {
  std::vector<std::string> out;
  read_journal(sql, trading_date, [&](JournalRow&& row) { out.push_back(text_of(row)); });
  return out;
}

std::vector<std::string> texts(const std::vector<JournalRow>& rows) {
  std::vector<std::string> out;
  for (const auto& row : rows) out.push_back(text_of(row));
  return out;
}

struct Way {
  const char* name;
  InsertPath path;
  bool cached;
};

void insert(soci::session& sql, store::SessionCache& cache, const Way& way,
            const std::vector<JournalRow>& rows) {
  soci::transaction tx(sql);
  if (way.cached) {
    const store::SessionCache::Bind bind(cache, sql);
    insert_journal_rows(sql, trading_date, rows, way.path);
  } else {
    insert_journal_rows(sql, trading_date, rows, way.path);
  }
  tx.commit();
}

}  // namespace

TEST_CASE("every insert path stores the same values, read back field for field") {
  EngineEnv env;
  auto sql = store::open(env.url());
  store::SessionCache cache;
  const std::vector<Way> ways = {{"fastest, cached", InsertPath::fastest, true},
                                 {"fastest, uncached", InsertPath::fastest, false},
                                 {"one by one", InsertPath::one_by_one, true},
                                 {"mysql text", InsertPath::mysql_text, true}};
  std::vector<std::string> expected;
  // Sizes around the statement sizes: 32 rows per SQLite statement, 256 per MySQL execute.
  for (const std::size_t n : {1, 31, 32, 33, 65, 300, 600}) {
    for (std::size_t w = 0; w < ways.size(); ++w) {
      const Way& way = ways[w];
      INFO(way.name << ", " << n << " rows");
      const auto rows = sample_rows(n, "w" + std::to_string(w) + "n" + std::to_string(n) + "-");
      insert(*sql, cache, way, rows);
      const auto more = texts(rows);
      expected.insert(expected.end(), more.begin(), more.end());
      REQUIRE(read_back(*sql) == expected);
    }
  }
  // Only exec rows carry an ExecID; placed_at is set on order_new rows only.
  long long bad = -1;
  *sql << "SELECT COUNT(*) FROM journal WHERE (kind = 'exec') <> (exec_id IS NOT NULL)"
          " OR (kind = 'exec' AND exec_id <> entry_key)"
          " OR (kind = 'order_new') <> (placed_at <> '')"
          " OR (kind = 'order_new' AND placed_at <> transact_time)",
      soci::into(bad);
  CHECK(bad == 0);
  std::string time;
  *sql << "SELECT received_at FROM journal ORDER BY id LIMIT 1", soci::into(time);
  CHECK(time == "2024-12-02T09:16:00.000001Z");
  cache.clear();
}

TEST_CASE("a batch written again, whole or in part, adds nothing twice") {
  EngineEnv env;
  auto sql = store::open(env.url());
  store::SessionCache cache;
  const auto rows = sample_rows(100, "A");
  for (const Way& way :
       {Way{"fastest", InsertPath::fastest, true}, Way{"one by one", InsertPath::one_by_one, false},
        Way{"mysql text", InsertPath::mysql_text, false}}) {
    INFO(way.name);
    insert(*sql, cache, way, rows);
    CHECK(env.count("journal") == 100);
  }
  // A re-run batch that overlaps: the old rows are skipped, the new ones added in order.
  auto mixed = sample_rows(140, "A");
  std::rotate(mixed.begin(), mixed.begin() + 70, mixed.end());
  insert(*sql, cache, Way{"fastest", InsertPath::fastest, true}, mixed);
  CHECK(env.count("journal") == 140);
  auto expected = texts(rows);
  const auto tail = texts(std::vector<JournalRow>(mixed.begin() + 30, mixed.begin() + 70));
  expected.insert(expected.end(), tail.begin(), tail.end());
  CHECK(read_back(*sql) == expected);
  cache.clear();
}

TEST_CASE("the engine's journal goes through the writer's statement cache") {
  EngineEnv env;
  const auto rows = sample_rows(70, "W");
  for (int round = 0; round < 3; ++round) {
    std::vector<JournalRow> part(rows.begin() + round * 20, rows.begin() + round * 20 + 30);
    bool done = false;
    std::size_t cached = 0;
    env.writer().submit(
        [&](soci::session& sql) {
          insert_journal_rows(sql, trading_date, part);
          cached = store::session_cache(sql)->size();
        },
        [&](const store::WriteResult& r) {
          CHECK(r.ok);
          done = true;
        });
    env.writer().drain_and_stop(std::chrono::seconds(20));
    CHECK(done);
    CHECK(cached == 1);
    env.crash_and_restart();  // a new writer
  }
  CHECK(env.count("journal") == 70);
}

TEST_CASE("the fast timestamp text is format_iso8601's") {
  TimeFormatter f;
  std::array<char, 48> buf{};
  const domain::Timestamp day = 86'400'000'000;
  std::vector<domain::Timestamp> times = {0,
                                          1,
                                          999'999,
                                          day - 1,
                                          day,
                                          1'733'130'900'123'456,
                                          1'733'130'900'123'456 + day,
                                          1'733'130'900'123'456,    // back to a day seen before
                                          951'782'400'000'000,      // 2000-02-29
                                          253'402'300'799'999'999,  // 9999-12-31T23:59:59
                                          253'402'300'800'000'000,  // year 10000
                                          -1,
                                          -day,
                                          -day - 1};
  for (domain::Timestamp t = 1'700'000'000'000'000; t < 1'700'000'000'000'000 + 3 * day;
       t += 3'599'999'937) {
    times.push_back(t);
  }
  for (const auto t : times) {
    INFO(t);
    CHECK(f.format(t, buf) == domain::format_iso8601(t));
  }
}
