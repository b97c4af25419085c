#include "irra/sod/importer.hpp"

#include <soci/soci.h>

#include <chrono>

#include "bulk_inserter.hpp"
#include "insert_order.hpp"
#include "irra/domain/enums.hpp"
#include "irra/domain/timestamp.hpp"

namespace irra::sod {
namespace {

using Clock = std::chrono::steady_clock;

// Negative cache_size is KiB: 256 MiB, about a million positions' pages.
constexpr long long kSqliteImportCacheKib = -262144;

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

TableCounts counts_of(const Dump& d) {
  return {static_cast<std::int64_t>(d.clients.size()),
          static_cast<std::int64_t>(d.instruments.size()),
          static_cast<std::int64_t>(d.positions.size()),
          static_cast<std::int64_t>(d.holdings.size()), static_cast<std::int64_t>(d.funds.size())};
}

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

domain::Timestamp now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void insert_rows(soci::session& sql, store::Backend b, const Dump& d) {
  const InsertOrder order = insert_order(d);
  {
    BulkInserter ins(sql, b, "clients",
                     {{"ucc", true},
                      {"pan", true},
                      {"name", true},
                      {"mobile", true},
                      {"email", true},
                      {"eligible", false}});
    for (const std::uint32_t row : order.clients) {
      const Client& c = d.clients[row];
      ins.text(c.ucc);
      ins.text(c.pan);
      ins.text(c.name);
      ins.text(c.mobile);
      ins.text(c.email);
      ins.integer(c.eligible ? 1 : 0);
      ins.end_row();
    }
    ins.finish();
  }
  {
    BulkInserter ins(sql, b, "instruments",
                     {{"instrument_id", true},
                      {"exchange", true},
                      {"segment", true},
                      {"symbol", true},
                      {"lot_size", false},
                      {"tick_size", false},
                      {"freeze_qty", false},
                      {"lower_band", false},
                      {"upper_band", false},
                      {"prev_close", false}});
    for (const std::uint32_t row : order.instruments) {
      const Instrument& i = d.instruments[row];
      ins.text(i.instrument_id);
      ins.text(i.exchange);
      ins.text(domain::to_string(i.segment));
      ins.text(i.symbol);
      ins.integer(i.lot_size);
      ins.integer(i.tick_size);
      ins.integer(i.freeze_qty);
      ins.integer(i.lower_band);
      ins.integer(i.upper_band);
      ins.integer(i.prev_close);
      ins.end_row();
    }
    ins.finish();
  }
  {
    BulkInserter ins(sql, b, "sod_positions",
                     {{"ucc", true},
                      {"instrument_id", true},
                      {"product", true},
                      {"net_qty", false},
                      {"avg_price", false}});
    for (const std::uint32_t row : order.positions) {
      const Position& p = d.positions[row];
      ins.text(d.clients[p.client].ucc);
      ins.text(d.instruments[p.instrument].instrument_id);
      ins.text(domain::to_string(p.product));
      ins.integer(p.net_qty);
      ins.integer(p.avg_price);
      ins.end_row();
    }
    ins.finish();
  }
  {
    BulkInserter ins(
        sql, b, "holdings",
        {{"ucc", true}, {"instrument_id", true}, {"qty", false}, {"avg_price", false}});
    for (const std::uint32_t row : order.holdings) {
      const Holding& h = d.holdings[row];
      ins.text(d.clients[h.client].ucc);
      ins.text(d.instruments[h.instrument].instrument_id);
      ins.integer(h.qty);
      ins.integer(h.avg_price);
      ins.end_row();
    }
    ins.finish();
  }
  {
    BulkInserter ins(
        sql, b, "funds",
        {{"ucc", true}, {"opening_balance", false}, {"margin_used", false}, {"collateral", false}});
    for (const std::uint32_t row : order.funds) {
      const Funds& f = d.funds[row];
      ins.text(d.clients[f.client].ucc);
      ins.integer(f.opening_balance);
      ins.integer(f.margin_used);
      ins.integer(f.collateral);
      ins.end_row();
    }
    ins.finish();
  }
}

void record_import(soci::session& sql, const Dump& d, const TableCounts& n) {
  const std::string imported_at = domain::format_iso8601(now_micros());
  const long long clients = n.clients, instruments = n.instruments, positions = n.positions,
                  holdings = n.holdings, funds = n.funds;
  sql << "INSERT INTO sod_imports (trading_date, generated_at, imported_at, clients,"
         " instruments, positions, holdings, funds, manifest_sha256) VALUES (:d, :g, :i, :c,"
         " :n, :p, :h, :f, :s)",
      soci::use(d.manifest.trading_date), soci::use(d.manifest.generated_at),
      soci::use(imported_at), soci::use(clients), soci::use(instruments), soci::use(positions),
      soci::use(holdings), soci::use(funds), soci::use(d.manifest.sha256);
}

}  // namespace

ImportReport validate_dump(const std::filesystem::path& dir) {
  const auto start = Clock::now();
  DumpResult result = read_dump(dir);
  ImportReport report;
  report.validate_time = since(start);
  report.errors = std::move(result.errors);
  if (result.dump) {
    report.ok = true;
    report.counts = counts_of(*result.dump);
    report.trading_date = result.dump->manifest.trading_date;
  }
  return report;
}

ImportReport write_dump(const Dump& dump, soci::session& sql, store::Backend backend) {
  const auto start = Clock::now();
  ImportReport report;
  report.counts = counts_of(dump);
  report.trading_date = dump.manifest.trading_date;
  // A page cache large enough for the whole import keeps SQLite from spilling half-built
  // B-tree pages to the WAL and rewriting them later; durability is unchanged.
  long long cache_pages = 0;
  const bool sqlite = backend == store::Backend::sqlite3;
  try {
    if (sqlite) {
      sql << "PRAGMA cache_size", soci::into(cache_pages);
      sql << "PRAGMA cache_size = " + std::to_string(kSqliteImportCacheKib);
    }
    // IMMEDIATE takes SQLite's write lock up front, so a concurrent writer makes us wait
    // (busy timeout) at the start instead of failing half-way.
    sql << (backend == store::Backend::sqlite3 ? "BEGIN IMMEDIATE" : "START TRANSACTION");
    try {
      // Children first, in case the schema ever adds foreign keys to clients/instruments.
      for (const char* table : {"sod_positions", "holdings", "funds", "clients", "instruments"}) {
        sql << std::string("DELETE FROM ") + table;
      }
      insert_rows(sql, backend, dump);
      record_import(sql, dump, report.counts);
      sql << "COMMIT";
    } catch (...) {
      try {
        sql << "ROLLBACK";
      } catch (const std::exception&) {  // the original error says more
      }
      throw;
    }
    report.ok = true;
  } catch (const soci::soci_error& e) {
    report.errors.push_back("database: " + first_line(e.get_error_message()));
  } catch (const std::exception& e) {
    report.errors.push_back(std::string("database: ") + first_line(e.what()));
  }
  if (sqlite) {
    try {
      sql << "PRAGMA cache_size = " + std::to_string(cache_pages);
    } catch (const std::exception&) {  // only a performance setting of this session
    }
  }
  report.write_time = since(start);
  return report;
}

ImportReport import_dump(const std::filesystem::path& dir, soci::session& sql,
                         store::Backend backend) {
  const auto start = Clock::now();
  DumpResult result = read_dump(dir);
  const auto validate_time = since(start);
  if (!result.dump) {
    ImportReport report;
    report.validate_time = validate_time;
    report.errors = std::move(result.errors);
    return report;
  }
  ImportReport report = write_dump(*result.dump, sql, backend);
  report.validate_time = validate_time;
  return report;
}

}  // namespace irra::sod
