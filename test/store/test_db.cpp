#include "test_db.hpp"

#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace irra::store::test {
namespace {

std::filesystem::path make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "irra-store-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

void drop_all_tables(const DbUrl& url) {
  auto sql = connect(url);
  std::vector<std::string> tables(1000);
  *sql << "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
      soci::into(tables);
  *sql << "SET FOREIGN_KEY_CHECKS = 0";
  for (const auto& t : tables) *sql << "DROP TABLE IF EXISTS `" + t + "`";
  *sql << "SET FOREIGN_KEY_CHECKS = 1";
}

}  // namespace

TestDb::TestDb() : dir_(make_temp_dir()) {
  const char* env = std::getenv("IRRA_TEST_DB_URL");
  if (env != nullptr && *env != '\0') {
    url_ = DbUrl::parse(env);
  } else {
    url_ = DbUrl::parse("sqlite3://" + (dir_ / "test.db").string());
  }
  if (is_mysql()) drop_all_tables(url_);
}

TestDb::~TestDb() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void TestDb::create_kv_table(soci::session& sql) {
  sql << "CREATE TABLE IF NOT EXISTS kv (k BIGINT NOT NULL PRIMARY KEY, v VARCHAR(64))";
}

long long TestDb::count(soci::session& sql, const std::string& table) {
  long long n = 0;
  sql << "SELECT COUNT(*) FROM " + table, soci::into(n);
  return n;
}

}  // namespace irra::store::test
