#include <soci/soci.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "irra/store/database.hpp"
#include "test_db.hpp"

using irra::store::DbUrl;
using irra::store::test::TestDb;

TEST_CASE("opening a SQLite database creates its directory and sets the pragmas") {
  TestDb db;
  const auto path = db.dir() / "nested" / "deeper" / "irra.db";
  const DbUrl url = DbUrl::parse("sqlite3://" + path.string());
  auto sql = irra::store::open(url);
  CHECK(std::filesystem::exists(path));
  std::string mode;
  int sync = -1, fks = -1, busy = -1;
  *sql << "PRAGMA journal_mode", soci::into(mode);
  *sql << "PRAGMA synchronous", soci::into(sync);
  *sql << "PRAGMA foreign_keys", soci::into(fks);
  *sql << "PRAGMA busy_timeout", soci::into(busy);
  CHECK(mode == "wal");
  CHECK(sync == 2);  // FULL
  CHECK(fks == 1);
  CHECK(busy == 5000);
}

TEST_CASE("a SQLite path with a space in it opens") {
  TestDb db;
  const auto path = db.dir() / "with space" / "irra.db";
  auto sql = irra::store::open(DbUrl::parse("sqlite3://" + path.string()));
  CHECK(std::filesystem::exists(path));
}

TEST_CASE("a MySQL session is strict and READ COMMITTED in UTC and utf8mb4") {
  TestDb db;
  if (!db.is_mysql()) return;  // the MySQL registration of this test checks it
  auto sql = db.open();
  std::string mode, iso, charset, tz;
  *sql << "SELECT @@SESSION.sql_mode", soci::into(mode);
  *sql << "SELECT @@SESSION.tx_isolation", soci::into(iso);
  *sql << "SELECT @@SESSION.character_set_connection", soci::into(charset);
  *sql << "SELECT @@SESSION.time_zone", soci::into(tz);
  CHECK(mode.find("STRICT_ALL_TABLES") != std::string::npos);
  CHECK(iso == "READ-COMMITTED");
  CHECK(charset == "utf8mb4");
  CHECK(tz == "+00:00");
  std::string engine;
  *sql << "SELECT engine FROM information_schema.tables WHERE table_schema = DATABASE() AND "
          "table_name = 'audit_log'",
      soci::into(engine);
  CHECK(engine == "InnoDB");
}

TEST_CASE("an unreachable database gives a one-line error without the password") {
  const DbUrl url = DbUrl::parse("mysql://irra:hunter2pw@127.0.0.1:1/irra");
  try {
    irra::store::open(url);
    FAIL("connected to port 1");
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("mysql://irra:***@127.0.0.1:1/irra") != std::string::npos);
    CHECK(msg.find("hunter2pw") == std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
}

TEST_CASE("a SQLite file in an unwritable place gives a one-line error") {
  const DbUrl url = DbUrl::parse("sqlite3:///proc/irra-no-such-dir/irra.db");
  CHECK_THROWS_WITH(irra::store::open(url),
                    Catch::Contains("/proc/irra-no-such-dir") && !Catch::Contains("\n"));
}
