#include "irra/store/migrations.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "irra/store/database.hpp"
#include "test_db.hpp"

using irra::store::test::TestDb;

TEST_CASE("a new database is migrated to the current schema version") {
  TestDb db;
  auto sql = irra::store::connect(db.url());
  CHECK(irra::store::current_schema_version(*sql) == 0);
  CHECK(irra::store::migrate(*sql) == irra::store::schema_version());
  CHECK(irra::store::current_schema_version(*sql) == irra::store::schema_version());
  std::string applied_at;
  *sql << "SELECT applied_at FROM schema_migrations WHERE version = 1", soci::into(applied_at);
  CHECK(applied_at.size() == 27);  // 2024-12-02T09:15:00.123456Z
}

TEST_CASE("migrating again applies nothing and keeps the data") {
  TestDb db;
  auto sql = db.open();
  *sql << "INSERT INTO funds (ucc, opening_balance, margin_used, collateral) "
          "VALUES ('C1', 100, 0, 0)";
  CHECK(irra::store::migrate(*sql) == 0);
  auto again = db.open();  // a second process opening the same database
  CHECK(irra::store::migrate(*again) == 0);
  CHECK(TestDb::count(*sql, "schema_migrations") == irra::store::schema_version());
  CHECK(TestDb::count(*sql, "funds") == 1);
}

TEST_CASE("a database from a newer build is refused") {
  TestDb db;
  auto sql = db.open();
  *sql << "INSERT INTO schema_migrations (version, applied_at) VALUES (999, 'x')";
  CHECK_THROWS_WITH(irra::store::migrate(*sql), Catch::Contains("newer"));
  CHECK_THROWS_WITH(db.open(), Catch::Contains("999"));
}

TEST_CASE("schema version 1 has the start-of-day and audit tables with their columns") {
  TestDb db;
  auto sql = db.open();
  // Each insert names every column, so a missing or renamed column fails here.
  *sql << "INSERT INTO clients (ucc, pan, name, mobile, email, eligible) VALUES "
          "('C1', 'ABCDE1234F', 'Asha', '9800000001', 'a@example.com', 1)";
  *sql << "INSERT INTO instruments (instrument_id, exchange, segment, symbol, lot_size, "
          "tick_size, freeze_qty, lower_band, upper_band, prev_close) VALUES "
          "('NSE:RELIANCE', 'NSE', 'EQ', 'RELIANCE', 1, 5, 100000, 200000, 300000, 250000)";
  *sql << "INSERT INTO sod_positions (ucc, instrument_id, product, net_qty, avg_price) VALUES "
          "('C1', 'NSE:RELIANCE', 'MIS', -10, 250000)";
  *sql << "INSERT INTO holdings (ucc, instrument_id, qty, avg_price) VALUES "
          "('C1', 'NSE:RELIANCE', 5, 240000)";
  // Money is BIGINT paise: beyond 32 bits must survive.
  const long long big = 9'000'000'000'000'000LL;
  *sql << "INSERT INTO funds (ucc, opening_balance, margin_used, collateral) VALUES "
          "('C1', :b, 0, 0)",
      soci::use(big);
  long long back = 0;
  *sql << "SELECT opening_balance FROM funds WHERE ucc = 'C1'", soci::into(back);
  CHECK(back == big);

  // sod_imports.id is assigned by the database.
  for (int i = 0; i < 2; ++i) {
    *sql << "INSERT INTO sod_imports (trading_date, generated_at, imported_at, clients, "
            "instruments, positions, holdings, funds, manifest_sha256) VALUES "
            "('2024-12-02', NULL, '2024-12-02T03:00:00.000000Z', 1, 1, 1, 1, 1, NULL)";
  }
  long long lo = 0, hi = 0;
  *sql << "SELECT MIN(id), MAX(id) FROM sod_imports", soci::into(lo), soci::into(hi);
  CHECK(lo >= 1);
  CHECK(hi == lo + 1);

  // Primary keys hold.
  CHECK_THROWS_AS((*sql << "INSERT INTO sod_positions (ucc, instrument_id, product, net_qty, "
                           "avg_price) VALUES ('C1', 'NSE:RELIANCE', 'MIS', 1, 1)"),
                  soci::soci_error);
  CHECK_THROWS_AS((*sql << "INSERT INTO clients (ucc, pan, name, mobile, email, eligible) "
                           "VALUES ('C2', NULL, 'x', 'x', 'x', 1)"),
                  soci::soci_error);
  *sql << "INSERT INTO audit_log (seq, ts, type, actor, ucc, ip, user_agent, detail, prev_hash, "
          "hash) VALUES (1, 't', 'x', 'a', NULL, NULL, NULL, '{}', 'p', 'h')";
}

TEST_CASE("schema version 1 indexes clients by PAN and the audit log by ucc and type and ts") {
  TestDb db;
  auto sql = db.open();
  std::vector<std::string> names(50);
  if (db.is_mysql()) {
    *sql << "SELECT DISTINCT index_name FROM information_schema.statistics WHERE "
            "table_schema = DATABASE() AND index_name <> 'PRIMARY' ORDER BY index_name",
        soci::into(names);
  } else {
    *sql << "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "ORDER BY name",
        soci::into(names);
  }
  // Later migrations add their own indexes; these are version 1's.
  for (const char* want : {"audit_log_ts", "audit_log_type", "audit_log_ucc", "clients_pan"}) {
    INFO(want);
    CHECK(std::find(names.begin(), names.end(), want) != names.end());
  }
}
