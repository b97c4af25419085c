#include "bulk_inserter.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <charconv>
#include <stdexcept>

namespace irra::sod {
namespace {

namespace sq = ::sqlite_api;

// MySQL statement text size per INSERT (well under the 16 MiB default max_allowed_packet).
constexpr std::size_t kMysqlBatchBytes = 1 << 20;

bool plain_sql_text(std::string_view s) {
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == ' ' || c == '-' || c == '_' || c == '.' || c == ':' || c == '@' ||
                    c == '&' || c == '+';
    if (!ok) return false;
  }
  return true;
}

sq::sqlite3* db(void* p) {
  return static_cast<sq::sqlite3*>(p);
}
sq::sqlite3_stmt* stmt(void* p) {
  return static_cast<sq::sqlite3_stmt*>(p);
}

}  // namespace

BulkInserter::BulkInserter(soci::session& sql, store::Backend backend, std::string_view table,
                           std::vector<Column> columns)
    : sql_(sql), backend_(backend), table_(table), columns_(std::move(columns)) {
  insert_head_ = "INSERT INTO " + table_ + " (";
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) insert_head_ += ", ";
    insert_head_ += columns_[i].name;
  }
  insert_head_ += ") VALUES ";
  if (backend_ == store::Backend::mysql) {
    values_.reserve(kMysqlBatchBytes + 4096);
    return;
  }
  // SQLite's own API: SOCI's vector binding copies every value into its own buffers, which
  // cost a measurable share of a million-row import.
  // (SOCI exports no RTTI for its backends: check the name, then cast.)
  if (sql_.get_backend_name() != "sqlite3") {
    throw std::logic_error("BulkInserter: not a SQLite session");
  }
  sqlite_db_ = static_cast<soci::sqlite3_session_backend*>(sql_.get_backend())->conn_;
  std::string query = insert_head_ + "(";
  for (std::size_t i = 0; i < columns_.size(); ++i) query += i > 0 ? ", ?" : "?";
  query += ')';
  sq::sqlite3_stmt* s = nullptr;
  if (sq::sqlite3_prepare_v2(db(sqlite_db_), query.c_str(), static_cast<int>(query.size()), &s,
                             nullptr) != SQLITE_OK) {
    throw soci::soci_error(sq::sqlite3_errmsg(db(sqlite_db_)));
  }
  sqlite_stmt_ = s;
}

BulkInserter::~BulkInserter() {
  if (sqlite_stmt_ != nullptr) sq::sqlite3_finalize(stmt(sqlite_stmt_));
}

void BulkInserter::append_mysql_text(std::string_view value) {
  if (plain_sql_text(value)) {
    values_ += '\'';
    values_ += value;
    values_ += '\'';
    return;
  }
  // A hex literal needs no escaping, whatever the server's sql_mode (NO_BACKSLASH_ESCAPES
  // changes what a backslash means inside quotes); the introducer keeps it text.
  static constexpr char hex[] = "0123456789ABCDEF";
  values_ += "_utf8mb4 X'";
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    values_ += hex[u >> 4];
    values_ += hex[u & 0xf];
  }
  values_ += '\'';
}

void BulkInserter::text(std::string_view value) {
  if (sqlite_stmt_ != nullptr) {
    // SQLITE_STATIC: the value outlives the step in end_row(). A null pointer would bind
    // NULL, so an empty value points at a literal.
    sq::sqlite3_bind_text(stmt(sqlite_stmt_), static_cast<int>(column_) + 1,
                          value.empty() ? "" : value.data(), static_cast<int>(value.size()),
                          SQLITE_STATIC);
  } else {
    values_ += column_ == 0 ? (rows_ == 0 ? "(" : ",(") : ",";
    append_mysql_text(value);
  }
  ++column_;
}

void BulkInserter::integer(std::int64_t value) {
  if (sqlite_stmt_ != nullptr) {
    sq::sqlite3_bind_int64(stmt(sqlite_stmt_), static_cast<int>(column_) + 1, value);
  } else {
    values_ += column_ == 0 ? (rows_ == 0 ? "(" : ",(") : ",";
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, value);
    values_.append(buf, res.ptr);
  }
  ++column_;
}

void BulkInserter::end_row() {
  if (column_ != columns_.size()) {
    throw std::logic_error("BulkInserter: row of " + table_ + " has the wrong column count");
  }
  column_ = 0;
  if (sqlite_stmt_ != nullptr) {
    step_sqlite();
    return;
  }
  ++rows_;
  values_ += ')';
  if (values_.size() >= kMysqlBatchBytes) flush_mysql();
}

void BulkInserter::finish() {
  if (sqlite_stmt_ == nullptr && rows_ > 0) flush_mysql();
}

void BulkInserter::step_sqlite() {
  const int rc = sq::sqlite3_step(stmt(sqlite_stmt_));
  sq::sqlite3_reset(stmt(sqlite_stmt_));
  if (rc != SQLITE_DONE) {
    throw soci::soci_error("inserting into " + table_ + ": " + sq::sqlite3_errmsg(db(sqlite_db_)));
  }
}

void BulkInserter::flush_mysql() {
  sql_ << insert_head_ + values_;
  values_.clear();
  rows_ = 0;
}

}  // namespace irra::sod
