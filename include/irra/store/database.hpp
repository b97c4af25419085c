// Opening the configured database and bringing its schema up to date.
//
// Thread rule: a soci::session is used by one thread at a time. On the server the
// writer thread (store/writer.hpp) owns the session; command-line tools use their own.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace soci {
class session;
}

namespace irra::store {

enum class Backend { sqlite3, mysql };

// A database URL from the configuration, translated for SOCI.
//   sqlite3://PATH                               (relative or absolute path, as given)
//   mysql://user:password@host:port/dbname       (user, password, dbname percent-decoded;
//                                                 port defaults to 3306)
struct DbUrl {
  Backend backend = Backend::sqlite3;
  std::string soci_backend;  // "sqlite3" or "mysql"
  std::string soci_connect;  // SOCI connection string
  std::string redacted;      // the URL with any password replaced by "***", for logs

  std::string path;      // sqlite3: the database file ("" for mysql)
  std::string host;      // mysql: host name or address (IPv6 without brackets)
  int port = 0;          // mysql: TCP port
  std::string database;  // mysql: database name
  std::string user;      // mysql: user name

  // SQLite only: how long a statement waits for another connection's lock before it
  // fails (the writer then retries the batch). Tests shorten it.
  int sqlite_busy_timeout_ms = 5000;

  // Throws BadDbUrl naming what is wrong (never echoing the password).
  static DbUrl parse(std::string_view url);
};

struct BadDbUrl : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Connects and sets the session options IRRA relies on (SQLite: WAL, synchronous=FULL,
// foreign keys, temporary storage in memory, busy timeout, parent directory created;
// MySQL: utf8mb4, strict mode, READ COMMITTED, UTC). Does not touch the schema. Throws
// std::runtime_error with a one-line reason on failure.
std::unique_ptr<soci::session> connect(const DbUrl& url);

// connect() and then apply every pending migration (store/migrations.hpp).
// Throws std::runtime_error with a one-line reason on failure.
std::unique_ptr<soci::session> open(const DbUrl& url);

// The schema version the binary expects after open().
int schema_version();

// The dialect of an open session.
Backend backend_of(const soci::session& sql);

}  // namespace irra::store
