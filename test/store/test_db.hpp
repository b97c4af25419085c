// A scratch database for one test: a fresh SQLite file, or the MySQL database named by
// IRRA_TEST_DB_URL with every table dropped first.
#pragma once

#include <soci/soci.h>

#include <filesystem>
#include <memory>
#include <string>

#include "irra/store/database.hpp"

namespace irra::store::test {

class TestDb {
 public:
  TestDb();
  ~TestDb();
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;

  const DbUrl& url() const { return url_; }
  bool is_mysql() const { return url_.backend == Backend::mysql; }
  const std::filesystem::path& dir() const { return dir_; }  // a private temp directory

  // connect() + migrations.
  std::unique_ptr<soci::session> open() const { return store::open(url_); }

  // A scratch table (k BIGINT primary key, v text) for writer tests.
  static void create_kv_table(soci::session& sql);
  static long long count(soci::session& sql, const std::string& table);

 private:
  std::filesystem::path dir_;
  DbUrl url_;
};

}  // namespace irra::store::test
