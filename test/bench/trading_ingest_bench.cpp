// Drop-copy ingest, applied and persisted (quality.md: 100,000 execution reports/s on SQLite,
// 75,000/s on MariaDB). Each iteration feeds 100,000 decoded ExecutionReports (an order's
// acknowledgement, then its fill) to the engine, `per_turn` per reactor turn as the FIX
// transport would after one socket read, and ends when the last batch has committed.
// SQLite in a temporary directory, or the database named by IRRA_TEST_DB_URL.
#include <benchmark/benchmark.h>
#include <soci/soci.h>
#include <sys/resource.h>

#include <boost/asio/post.hpp>
#include <deque>
#include <regex>

#include "../../src/trading/fix_convert.hpp"
#include "../../src/trading/journal_insert.hpp"
#include "../trading/engine_env.hpp"
#include "irra/store/database.hpp"
#include "irra/store/session_cache.hpp"

using namespace irra;
using namespace irra::trading;

namespace {

// CPU time of the whole process (the engine's thread and the writer thread), in seconds.
double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Owns the strings the execution_report views point into.
struct Stream {
  std::deque<std::string> text;
  std::vector<fix::execution_report> reports;

  std::string_view keep(std::string s) { return text.emplace_back(std::move(s)); }

  void add_order(std::size_t k) {
    fix::execution_report m;
    m.order_id = keep("O" + std::to_string(k));
    m.cl_ord_id = keep("W" + std::to_string(k));
    m.account = k % 2 == 0 ? "C1" : "C2";
    m.symbol = "RELIANCE";
    m.security_exchange = "NSE";
    m.product = "MIS";
    m.side = k % 3 == 0 ? '2' : '1';
    m.ord_type = '2';
    m.price = 245000 + 5 * static_cast<std::int64_t>(k % 50);
    m.order_qty = 10;
    m.transact_time = fix::utc_timestamp(std::chrono::seconds(1'733'130'900 + k / 1000));
    m.exec_id = keep("N" + std::to_string(k));
    m.exec_type = '0';
    m.ord_status = '0';
    m.leaves_qty = 10;
    reports.push_back(m);
    m.exec_id = keep("F" + std::to_string(k));
    m.exec_type = 'F';
    m.ord_status = '2';
    m.last_qty = 10;
    m.last_px = *m.price;
    m.cum_qty = 10;
    m.leaves_qty = 0;
    m.avg_px = *m.price;
    reports.push_back(m);
  }
};

void BM_ingest_and_persist(benchmark::State& state) {
  const auto per_turn = static_cast<std::size_t>(state.range(0));
  constexpr std::size_t per_iteration = 100'000;
  test::EngineEnv env;
  Stream stream;
  std::size_t next_order = 0;
  std::uint64_t seq = 0;
  std::size_t fed = 0;
  double cpu = 0;
  for (auto _ : state) {
    state.PauseTiming();
    stream.reports.clear();
    stream.text.clear();
    while (stream.reports.size() < per_iteration) stream.add_order(next_order++);
    state.ResumeTiming();
    const double cpu_before = process_cpu_s();
    for (std::size_t i = 0; i < stream.reports.size(); i += per_turn) {
      boost::asio::post(env.strand(), [&, i] {
        const auto end = std::min(stream.reports.size(), i + per_turn);
        for (std::size_t j = i; j < end; ++j) {
          env.engine().on_execution_report("DC", ++seq, stream.reports[j]);
        }
      });
      env.ioc().restart();
      env.ioc().poll();  // this turn, and its batch handed to the writer thread
    }
    env.settle();
    cpu += process_cpu_s() - cpu_before;
    fed += stream.reports.size();
  }
  const auto s = env.engine().stats();
  if (s.reports_applied != fed) state.SkipWithError("not every report was applied");
  state.counters["reports_per_s"] =
      benchmark::Counter(static_cast<double>(fed), benchmark::Counter::kIsRate);
  // On a busy machine the rate is bounded by the CPU share the threads get; this is not.
  state.counters["cpu_us_per_report"] =
      cpu * 1e6 / static_cast<double>(std::max<std::size_t>(1, fed));
  state.counters["rows_per_batch"] =
      static_cast<double>(s.rows_committed) /
      static_cast<double>(std::max<std::uint64_t>(1, s.batches_committed));
  state.counters["writer_commits"] = static_cast<double>(env.writer().stats().batches_committed);
}

// The journal rows of `stream`, as the engine would write them.
std::vector<detail::JournalRow> rows_of(const Stream& stream) {
  std::vector<detail::JournalRow> rows;
  rows.reserve(stream.reports.size());
  std::uint64_t seq = 0;
  for (const auto& m : stream.reports) {
    std::string why;
    detail::JournalRow row;
    row.session = "DC";
    row.in_seq = ++seq;
    row.report = *to_domain(m, why);
    row.received_at = row.report.transact_time;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::vector<detail::JournalRow>> chunks_of(std::vector<detail::JournalRow> rows,
                                                       std::size_t per_chunk) {
  std::vector<std::vector<detail::JournalRow>> chunks;
  for (std::size_t i = 0; i < rows.size(); i += per_chunk) {
    const auto end = std::min(rows.size(), i + per_chunk);
    chunks.emplace_back(std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(i)),
                        std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(end)));
  }
  return chunks;
}

// The journal insert alone: the same rows, 5,000 per transaction, through
// detail::insert_journal_rows with a session cache as on the writer thread; no engine, no
// FIX conversion, no Book.
void BM_journal_insert_only(benchmark::State& state) {
  test::EngineEnv env;
  auto sql = store::open(env.url());
  store::SessionCache cache;
  Stream stream;
  std::size_t next_order = 0;
  std::size_t fed = 0;
  std::vector<std::vector<detail::JournalRow>> chunks;  // freed outside the timed part
  for (auto _ : state) {
    state.PauseTiming();
    stream.reports.clear();
    stream.text.clear();
    while (stream.reports.size() < 100'000) stream.add_order(next_order++);
    chunks = chunks_of(rows_of(stream), 5000);
    state.ResumeTiming();
    for (const auto& chunk : chunks) {
      soci::transaction tx(*sql);
      const store::SessionCache::Bind bind(cache, *sql);
      detail::insert_journal_rows(*sql, test::trading_date, chunk);
      tx.commit();
      fed += chunk.size();
    }
  }
  cache.clear();
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(fed), benchmark::Counter::kIsRate);
}

// The baseline in the same run: the database's own batched insert of the same rows, with
// no client in the way: INSERT ... SELECT from the journal into a table of the same shape
// (same columns, constraints and indexes), 5,000 rows per transaction.
void BM_database_own_insert(benchmark::State& state) {
  test::EngineEnv env;
  auto sql = store::open(env.url());
  const bool mysql = env.is_mysql();
  if (mysql) {
    *sql << "CREATE TABLE journal_copy LIKE journal";
  } else {
    std::vector<std::string> ddl(16);
    *sql << "SELECT sql FROM sqlite_master WHERE tbl_name = 'journal' AND sql IS NOT NULL"
            " ORDER BY type DESC",
        soci::into(ddl);
    // The same DDL, every name of the table or of one of its indexes suffixed with _copy.
    const std::regex name(R"(\b(journal\w*))");
    for (const auto& s : ddl) *sql << std::regex_replace(s, name, "$1_copy");
  }
  std::string cols;
  for (const auto c : detail::journal_columns())
    cols += (cols.empty() ? "" : ", ") + std::string(c);
  Stream stream;
  std::size_t next_order = 0;
  std::size_t fed = 0;
  long long next_id = 1;
  for (auto _ : state) {
    state.PauseTiming();
    stream.reports.clear();
    stream.text.clear();
    while (stream.reports.size() < 100'000) stream.add_order(next_order++);
    {
      soci::transaction tx(*sql);
      detail::insert_journal_rows(*sql, test::trading_date, rows_of(stream));
      tx.commit();
    }
    state.ResumeTiming();
    for (std::size_t i = 0; i < stream.reports.size(); i += 5000) {
      const long long last = next_id + 4999;
      soci::transaction tx(*sql);
      *sql << "INSERT INTO journal_copy (" + cols + ") SELECT " + cols +
                  " FROM journal WHERE id BETWEEN :a AND :b ORDER BY id",
          soci::use(next_id), soci::use(last);
      tx.commit();
      next_id = last + 1;
    }
    fed += stream.reports.size();
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(fed), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_database_own_insert)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_journal_insert_only)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_ingest_and_persist)
    ->Arg(64)
    ->Arg(512)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
BENCHMARK_MAIN();
