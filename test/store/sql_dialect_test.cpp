#include "irra/store/sql_dialect.hpp"

#include <catch2/catch.hpp>

using irra::store::Backend;

TEST_CASE("insert-or-ignore SQL ignores only key conflicts in each dialect") {
  CHECK(irra::store::insert_or_ignore_sql(Backend::sqlite3, "t", {"a", "b"}) ==
        "INSERT INTO t (a, b) VALUES (:a, :b) ON CONFLICT DO NOTHING");
  CHECK(irra::store::insert_or_ignore_sql(Backend::mysql, "t", {"a", "b"}) ==
        "INSERT INTO t (a, b) VALUES (:a, :b) ON DUPLICATE KEY UPDATE a = a");
}

TEST_CASE("upsert SQL updates the non-key columns in each dialect") {
  CHECK(irra::store::upsert_sql(Backend::sqlite3, "t", {"k", "x", "y"}, {"k"}) ==
        "INSERT INTO t (k, x, y) VALUES (:k, :x, :y) ON CONFLICT (k) DO UPDATE SET "
        "x = excluded.x, y = excluded.y");
  CHECK(irra::store::upsert_sql(Backend::mysql, "t", {"k", "x", "y"}, {"k"}) ==
        "INSERT INTO t (k, x, y) VALUES (:k, :x, :y) ON DUPLICATE KEY UPDATE "
        "x = VALUES(x), y = VALUES(y)");
  CHECK(irra::store::upsert_sql(Backend::sqlite3, "t", {"k"}, {"k"}) ==
        irra::store::insert_or_ignore_sql(Backend::sqlite3, "t", {"k"}));
}

#include "test_db.hpp"

TEST_CASE("the dialect helpers run on the configured database") {
  irra::store::test::TestDb db;
  auto sql = db.open();
  irra::store::test::TestDb::create_kv_table(*sql);
  const Backend b = db.url().backend;
  long long k = 1;
  std::string v = "first";
  const std::string ins = irra::store::insert_or_ignore_sql(b, "kv", {"k", "v"});
  *sql << ins, soci::use(k), soci::use(v);
  v = "second";
  *sql << ins, soci::use(k), soci::use(v);  // ignored: same key
  std::string got;
  *sql << "SELECT v FROM kv WHERE k = 1", soci::into(got);
  CHECK(got == "first");
  CHECK(irra::store::test::TestDb::count(*sql, "kv") == 1);

  const std::string up = irra::store::upsert_sql(b, "kv", {"k", "v"}, {"k"});
  *sql << up, soci::use(k), soci::use(v);
  *sql << "SELECT v FROM kv WHERE k = 1", soci::into(got);
  CHECK(got == "second");
  CHECK(irra::store::test::TestDb::count(*sql, "kv") == 1);

  // Insert-or-ignore must not hide other errors, such as a NULL in a NOT NULL column.
  *sql << "CREATE TABLE IF NOT EXISTS kv_nn (k BIGINT NOT NULL PRIMARY KEY, v VARCHAR(8) NOT NULL)";
  long long k2 = 2;
  std::string none;
  soci::indicator null_ind = soci::i_null;
  const std::string ins_nn = irra::store::insert_or_ignore_sql(b, "kv_nn", {"k", "v"});
  CHECK_THROWS_AS((*sql << ins_nn, soci::use(k2), soci::use(none, null_ind)), soci::soci_error);
  CHECK(irra::store::test::TestDb::count(*sql, "kv_nn") == 0);
}
