#include <soci/soci.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "dump_fixture.hpp"
#include "irra/sod/importer.hpp"

using irra::sod::test::DumpFiles;
using irra::sod::test::TempDir;

namespace {

irra::store::Backend backend() {
  return irra::sod::test::test_db_is_mysql() ? irra::store::Backend::mysql
                                             : irra::store::Backend::sqlite3;
}

irra::sod::ImportReport import(soci::session& sql, const DumpFiles& files) {
  TempDir dir;
  irra::sod::test::write_dump(dir.path(), files);
  return irra::sod::import_dump(dir.path(), sql, backend());
}

long long count(soci::session& sql, const std::string& table) {
  long long n = -1;
  sql << "SELECT COUNT(*) FROM " + table, soci::into(n);
  return n;
}

using ClientRow = std::tuple<std::string, std::string, std::string, std::string, std::string, int>;

std::vector<ClientRow> clients(soci::session& sql) {
  std::vector<ClientRow> out;
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT ucc, pan, name, mobile, email, eligible FROM clients ORDER BY ucc");
  for (const auto& r : rows) {
    out.emplace_back(r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2),
                     r.get<std::string>(3), r.get<std::string>(4), r.get<int>(5));
  }
  return out;
}

// All rows of a table as text, ordered by the given columns; numbers printed as integers.
std::vector<std::string> dump_table(soci::session& sql, const std::string& columns,
                                    const std::string& table, const std::string& order) {
  std::vector<std::string> out;
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " + columns + " FROM " + table + " ORDER BY " + order);
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (i > 0) line += ',';
      const auto type = r.get_properties(i).get_data_type();
      if (type == soci::dt_string) {
        line += r.get<std::string>(i);
      } else if (type == soci::dt_long_long) {
        line += std::to_string(r.get<long long>(i));
      } else if (type == soci::dt_unsigned_long_long) {
        line += std::to_string(r.get<unsigned long long>(i));
      } else {
        line += std::to_string(r.get<int>(i));
      }
    }
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("a valid dump imports every table with paise values", "[sod][import]") {
  TempDir db_dir;
  auto sql = irra::sod::test::open_test_db(db_dir.path());
  const auto report = import(*sql, irra::sod::test::good_dump());
  INFO((report.errors.empty() ? "" : report.errors.front()));
  REQUIRE(report.ok);
  CHECK(report.trading_date == "2024-12-02");
  CHECK(report.counts.clients == 3);
  CHECK(report.counts.instruments == 3);
  CHECK(report.counts.positions == 4);
  CHECK(report.counts.holdings == 2);
  CHECK(report.counts.funds == 3);

  CHECK(clients(*sql) ==
        std::vector<ClientRow>{
            {"C000001", "ABCDE1234F", "Asha Rao", "9876543210", "asha@example.com", 1},
            {"C000002", "BCDEF2345G", "Rao, Kiran", "+919812345678", "kiran@example.com", 0},
            {"C000003", "CDEFG3456H", "Dinesh \"Dinu\" Iyer", "9000000003", "", 1}});
  CHECK(dump_table(*sql,
                   "instrument_id, exchange, segment, symbol, lot_size, tick_size, freeze_qty,"
                   " lower_band, upper_band, prev_close",
                   "instruments", "instrument_id") ==
        std::vector<std::string>{
            "MCX:CRUDEOIL24DECFUT,MCX,COM,CRUDEOIL24DECFUT,100,100,10000,580000,640000,612300",
            "NSE:NIFTY24DEC24000CE,NSE,FO,NIFTY24DEC24000CE,25,5,1800,5,95000,31240",
            "NSE:RELIANCE,NSE,EQ,RELIANCE,1,5,100000,220545,269555,245050"});
  CHECK(dump_table(*sql, "ucc, instrument_id, product, net_qty, avg_price", "sod_positions",
                   "ucc, instrument_id, product") ==
        std::vector<std::string>{
            "C000001,NSE:NIFTY24DEC24000CE,NRML,-50,30025", "C000001,NSE:RELIANCE,CNC,10,240050",
            "C000001,NSE:RELIANCE,MIS,-5,245100", "C000002,MCX:CRUDEOIL24DECFUT,NRML,200,610000"});
  CHECK(
      dump_table(*sql, "ucc, instrument_id, qty, avg_price", "holdings", "ucc") ==
      std::vector<std::string>{"C000001,NSE:RELIANCE,100,180075", "C000003,NSE:RELIANCE,3,200000"});
  CHECK(dump_table(*sql, "ucc, opening_balance, margin_used, collateral", "funds", "ucc") ==
        std::vector<std::string>{"C000001,15000050,2000000,0", "C000002,-120005,0,5000000",
                                 "C000003,0,0,0"});
  CHECK(dump_table(*sql,
                   "trading_date, generated_at, clients, instruments, positions, holdings, funds",
                   "sod_imports",
                   "id") == std::vector<std::string>{"2024-12-02,2024-12-01T18:30:00Z,3,3,4,2,3"});
}

TEST_CASE("a rejected import leaves the previous day's data untouched", "[sod][import]") {
  TempDir db_dir;
  auto sql = irra::sod::test::open_test_db(db_dir.path());
  REQUIRE(import(*sql, irra::sod::test::good_dump()).ok);
  const auto before_clients = clients(*sql);

  DumpFiles broken = irra::sod::test::next_day_dump();
  broken.csv.at("positions.csv") += "C000009,NSE:FOO,CNC,1,1\n";
  const auto report = import(*sql, broken);
  CHECK_FALSE(report.ok);
  CHECK(report.errors == std::vector<std::string>{"positions.csv:3: unknown instrument 'NSE:FOO'"});
  CHECK(clients(*sql) == before_clients);
  CHECK(count(*sql, "sod_positions") == 4);
  CHECK(count(*sql, "holdings") == 2);
  CHECK(count(*sql, "funds") == 3);
  CHECK(count(*sql, "instruments") == 3);
  CHECK(count(*sql, "sod_imports") == 1);
}

TEST_CASE("a database failure mid-import rolls everything back", "[sod][import]") {
  TempDir db_dir;
  auto sql = irra::sod::test::open_test_db(db_dir.path());
  REQUIRE(import(*sql, irra::sod::test::good_dump()).ok);
  // A real failure from the database itself, after the deletes and most inserts.
  if (backend() == irra::store::Backend::mysql) {
    *sql << "CREATE TRIGGER sod_test_fail BEFORE INSERT ON funds FOR EACH ROW"
            " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'";
  } else {
    *sql << "CREATE TRIGGER sod_test_fail BEFORE INSERT ON funds"
            " BEGIN SELECT RAISE(ABORT, 'injected failure'); END";
  }
  const auto report = import(*sql, irra::sod::test::next_day_dump());
  *sql << "DROP TRIGGER sod_test_fail";
  CHECK_FALSE(report.ok);
  REQUIRE(report.errors.size() == 1);
  CHECK(report.errors[0].starts_with("database: "));
  CHECK(report.errors[0].find("injected failure") != std::string::npos);
  CHECK(count(*sql, "clients") == 3);
  CHECK(count(*sql, "sod_positions") == 4);
  CHECK(count(*sql, "funds") == 3);
  CHECK(count(*sql, "sod_imports") == 1);
  CHECK(std::get<0>(clients(*sql).front()) == "C000001");
}

TEST_CASE("a second good import replaces the first", "[sod][import]") {
  TempDir db_dir;
  auto sql = irra::sod::test::open_test_db(db_dir.path());
  REQUIRE(import(*sql, irra::sod::test::good_dump()).ok);
  const auto report = import(*sql, irra::sod::test::next_day_dump());
  REQUIRE(report.ok);
  CHECK(clients(*sql) == std::vector<ClientRow>{{"C000009", "ZZZZZ9999Z", "Meera Nair",
                                                 "9123456780", "meera@example.com", 1}});
  CHECK(dump_table(*sql, "ucc, instrument_id, product, net_qty, avg_price", "sod_positions",
                   "ucc") == std::vector<std::string>{"C000009,NSE:INFY,CNC,7,189005"});
  CHECK(count(*sql, "instruments") == 1);
  CHECK(count(*sql, "holdings") == 0);
  CHECK(count(*sql, "funds") == 1);
  CHECK(dump_table(*sql, "trading_date", "sod_imports", "id") ==
        std::vector<std::string>{"2024-12-02", "2024-12-03"});
}

TEST_CASE("text with commas, quotes, line breaks and non-ASCII survives the import",
          "[sod][import]") {
  DumpFiles d = irra::sod::test::good_dump();
  const std::string from = "Asha Rao";
  auto& text = d.csv.at("clients.csv");
  text.replace(text.find(from), from.size(), "\"O'Brien, \\Asha\r\nआशा \"\"A\"\"\"");
  TempDir db_dir;
  auto sql = irra::sod::test::open_test_db(db_dir.path());
  const auto report = import(*sql, d);
  INFO((report.errors.empty() ? "" : report.errors.front()));
  REQUIRE(report.ok);
  CHECK(std::get<2>(clients(*sql).front()) == "O'Brien, \\Asha\r\nआशा \"A\"");
}

TEST_CASE("a dump larger than one insert batch imports every row exactly once", "[sod][import]") {
  // 21,000 positions: several full SQLite batches plus a short one, and several MySQL
  // statements; sums catch a row lost, doubled or shifted between batches.
  DumpFiles d = irra::sod::test::good_dump();
  std::string& clients_csv = d.csv.at("clients.csv");
  std::string& positions = d.csv.at("positions.csv");
  std::string& funds = d.csv.at("funds.csv");
  static constexpr const char* kProducts[] = {"MIS", "NRML", "CNC", "MTF"};
  long long qty_sum = -50 + 10 + 200 - 5, price_sum = 30025 + 240050 + 610000 + 245100;
  for (int c = 0; c < 3000; ++c) {
    char ucc[16], pan[16];
    std::snprintf(ucc, sizeof ucc, "X%06d", c);
    std::snprintf(pan, sizeof pan, "PQRST%04dZ", c);
    clients_csv += std::string(ucc) + "," + pan + ",Client " + std::to_string(c) + ",,,N\n";
    funds += std::string(ucc) + "," + std::to_string(c) + ".25,0,0\n";
    for (int p = 0; p < 7; ++p) {
      const bool future = p >= 4;
      const long long qty = future ? 25LL * (c % 5 - 2) : c - p;
      const long long paise = 100LL * c + p;
      positions += std::string(ucc) + (future ? ",NSE:NIFTY24DEC24000CE," : ",NSE:RELIANCE,") +
                   kProducts[future ? p - 4 : p] + "," + std::to_string(qty) + "," +
                   std::to_string(paise / 100) + "." + (paise % 100 < 10 ? "0" : "") +
                   std::to_string(paise % 100) + "\n";
      qty_sum += qty;
      price_sum += paise;
    }
  }
  TempDir db_dir;
  auto sql = irra::sod::test::open_test_db(db_dir.path());
  const auto report = import(*sql, d);
  INFO((report.errors.empty() ? "" : report.errors.front()));
  REQUIRE(report.ok);
  CHECK(count(*sql, "sod_positions") == 21004);
  CHECK(count(*sql, "clients") == 3003);
  CHECK(count(*sql, "funds") == 3003);
  long long got_qty = 0, got_price = 0, got_funds = 0;
  *sql << "SELECT SUM(net_qty), SUM(avg_price) FROM sod_positions", soci::into(got_qty),
      soci::into(got_price);
  *sql << "SELECT SUM(opening_balance) FROM funds", soci::into(got_funds);
  CHECK(got_qty == qty_sum);
  CHECK(got_price == price_sum);
  CHECK(got_funds == 15000050 - 120005 + 2999LL * 3000 / 2 * 100 + 3000 * 25);
}
