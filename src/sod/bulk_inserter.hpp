// Fast inserts of many rows into one table inside the caller's transaction.
// SQLite: one prepared INSERT stepped per row through SQLite's own API, with values bound
// in place (no copies). MySQL: multi-row INSERT ... VALUES (...),(...) statements.
// Both were measured against SOCI's vector binding; see the module's report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "irra/store/database.hpp"

namespace soci {
class session;
}

namespace irra::sod {

class BulkInserter {
 public:
  struct Column {
    std::string_view name;
    bool text;
  };

  // Throws soci::soci_error when the statement cannot be prepared.
  BulkInserter(soci::session& sql, store::Backend backend, std::string_view table,
               std::vector<Column> columns);
  ~BulkInserter();
  BulkInserter(const BulkInserter&) = delete;
  BulkInserter& operator=(const BulkInserter&) = delete;

  // One value per column, in column order, then end_row(). A value need only stay valid
  // until end_row(). Throws soci::soci_error when the database refuses a row or batch.
  void text(std::string_view value);
  void integer(std::int64_t value);
  void end_row();
  // Inserts what is still buffered.
  void finish();

 private:
  void step_sqlite();
  void flush_mysql();
  void append_mysql_text(std::string_view value);

  soci::session& sql_;
  store::Backend backend_;
  std::string table_;
  std::vector<Column> columns_;
  std::size_t rows_ = 0;    // rows buffered (MySQL)
  std::size_t column_ = 0;  // next column of the current row

  void* sqlite_db_ = nullptr;    // sqlite3*, owned by the session
  void* sqlite_stmt_ = nullptr;  // sqlite3_stmt*, owned here

  std::string insert_head_;
  std::string values_;
};

}  // namespace irra::sod
