// Connecting to SQLite or MySQL with the session settings IRRA relies on.
#include "irra/store/database.hpp"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include "irra/store/migrations.hpp"

namespace irra::store {
namespace {

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

void prepare_sqlite_path(const DbUrl& url) {
  if (url.path == ":memory:" || url.path.starts_with("file:")) return;
  const std::filesystem::path parent = std::filesystem::path(url.path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    throw std::runtime_error("cannot create directory " + parent.string() + " for " + url.redacted +
                             ": " + ec.message());
  }
}

// SQLite's default "serialized" mode takes a connection's mutex in every API call — for
// every column of every row read. IRRA never uses one connection from two threads at once
// (each thread owns its own: the writer, the readers, the relay, the authenticator; a
// soci::session is not thread-safe anyway), which is SQLite's "multi-thread" mode. Reading the
// journal at start-up spent about 11% of its time in those locks. sqlite3_config only works
// before SQLite initializes, so this runs before the process's first connection; if something
// opened SQLite earlier it answers SQLITE_MISUSE and SQLite stays serialized (correct, slower).
void use_sqlite_multithread_mode() {
  // SOCI includes sqlite3.h inside its namespace sqlite_api.
  static const int once = sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
  (void)once;
}

void configure_sqlite(soci::session& sql, const DbUrl& url) {
  sql << "PRAGMA busy_timeout = " + std::to_string(url.sqlite_busy_timeout_ms);
  std::string mode;
  sql << "PRAGMA journal_mode = WAL", soci::into(mode);
  // An in-memory database answers "memory"; a file that cannot use WAL is refused.
  if (mode != "wal" && mode != "memory") {
    throw std::runtime_error("SQLite refused journal_mode=WAL (got " + mode + ")");
  }
  // FULL, not NORMAL: in WAL mode NORMAL also survives a kill -9 of the process (the WAL is
  // in the OS's page cache), but a power cut or kernel crash loses the last transactions,
  // and with them reports and orders already acknowledged or sent. FULL syncs the WAL at
  // every commit; with the writer's group commit that is one fsync per batch of reports.
  sql << "PRAGMA synchronous = FULL";
  sql << "PRAGMA foreign_keys = ON";
  // A statement that writes several rows and may fail half-way (the journal's multi-row
  // INSERT) keeps a statement journal to undo itself. In a file (Debian's default) that is
  // a temporary file written for every such statement, which nearly doubled the CPU cost of
  // a journal row (6.2 instead of 3.5 µs); in memory it is a few pages per statement. IRRA
  // builds no large temporary tables or sorts, so nothing else here grows with it.
  sql << "PRAGMA temp_store = MEMORY";
}

void configure_mysql(soci::session& sql) {
  sql << "SET SESSION sql_mode = 'TRADITIONAL,NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY'";
  sql << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
  sql << "SET SESSION time_zone = '+00:00'";
  sql << "SET SESSION default_storage_engine = InnoDB";
  sql << "SET NAMES utf8mb4 COLLATE utf8mb4_bin";
}

}  // namespace

Backend backend_of(const soci::session& sql) {
  return sql.get_backend_name() == "mysql" ? Backend::mysql : Backend::sqlite3;
}

std::unique_ptr<soci::session> connect(const DbUrl& url) {
  try {
    std::unique_ptr<soci::session> sql;
    if (url.backend == Backend::sqlite3) {
      prepare_sqlite_path(url);
      use_sqlite_multithread_mode();
      sql = std::make_unique<soci::session>(*soci::factory_sqlite3(), url.soci_connect);
      configure_sqlite(*sql, url);
    } else {
      sql = std::make_unique<soci::session>(*soci::factory_mysql(), url.soci_connect);
      configure_mysql(*sql);
    }
    return sql;
  } catch (const soci::soci_error& e) {
    throw std::runtime_error("cannot open database " + url.redacted + ": " +
                             first_line(e.get_error_message()));
  }
}

std::unique_ptr<soci::session> open(const DbUrl& url) {
  auto sql = connect(url);
  try {
    migrate(*sql);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("database " + url.redacted + ": " + e.what());
  }
  return sql;
}

}  // namespace irra::store
