#include "journal_insert.hpp"

#include <mysql.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <array>
#include <charconv>

#include "irra/store/sql_dialect.hpp"

namespace irra::trading::detail {
namespace {

constexpr std::size_t column_count = 32;

// One value of a row: text, an integer, or NULL.
struct Cell {
  enum class Type { text, integer, null } type = Type::null;
  std::string_view text;
  long long integer = 0;
};

// The row's values in journal_columns() order. `times` keeps the formatted timestamps alive.
void cells_of(const std::string& date, const JournalRow& row, std::array<Cell, column_count>& c,
              std::array<std::string, 3>& times) {
  const auto& r = row.report;
  auto text = [](std::string_view s) { return Cell{Cell::Type::text, s, 0}; };
  auto integer = [](long long v) { return Cell{Cell::Type::integer, {}, v}; };
  times[0] = domain::format_iso8601(r.transact_time);
  times[1] = row.kind == JournalKind::order_new ? times[0] : std::string();
  times[2] = domain::format_iso8601(row.received_at);
  c = {text(date),
       text(to_string(row.kind)),
       text(row.entry_key()),
       text(row.kind == JournalKind::exec ? std::string_view(r.exec_id) : std::string_view()),
       text(row.session),
       integer(static_cast<long long>(row.in_seq)),
       text(r.order_id),
       text(r.cl_ord_id),
       text(r.orig_cl_ord_id),
       text(r.ucc),
       text(r.instrument_id),
       text(domain::to_string(r.product)),
       text(domain::to_string(r.side)),
       text(domain::to_string(r.exec_type)),
       text(domain::to_string(r.ord_status)),
       integer(r.order_qty),
       text(domain::to_string(r.ord_type)),
       integer(r.price),
       integer(r.last_qty),
       integer(r.last_px),
       integer(r.cum_qty),
       integer(r.leaves_qty),
       integer(r.avg_px),
       text(times[0]),
       text(r.text),
       r.rej_reason ? integer(*r.rej_reason) : Cell{},
       text(row.origin),
       text(row.actor),
       text(row.idempotency_key),
       text(row.reason),
       text(times[1]),
       text(times[2])};
}

// ---- SQLite: one prepared statement, values bound in place, stepped per row.
namespace sq = ::sqlite_api;

class SqliteStatement {
 public:
  SqliteStatement(sq::sqlite3* db, const std::string& sql) : db_(db) {
    if (sq::sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &st_, nullptr) !=
        SQLITE_OK) {
      throw soci::soci_error(std::string("journal insert: ") + sq::sqlite3_errmsg(db));
    }
  }
  ~SqliteStatement() { sq::sqlite3_finalize(st_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void run(const std::array<Cell, column_count>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      const Cell& c = cells[i];
      int rc = SQLITE_OK;
      switch (c.type) {
        case Cell::Type::text:
          // SQLITE_STATIC: the text outlives the step below.
          rc = sq::sqlite3_bind_text(st_, at, c.text.data(), static_cast<int>(c.text.size()),
                                     SQLITE_STATIC);
          break;
        case Cell::Type::integer:
          rc = sq::sqlite3_bind_int64(st_, at, c.integer);
          break;
        case Cell::Type::null:
          rc = sq::sqlite3_bind_null(st_, at);
          break;
      }
      if (rc != SQLITE_OK) fail();
    }
    if (sq::sqlite3_step(st_) != SQLITE_DONE) fail();
    sq::sqlite3_reset(st_);
  }

 private:
  [[noreturn]] void fail() {
    const std::string msg = sq::sqlite3_errmsg(db_);
    sq::sqlite3_reset(st_);
    throw soci::soci_error("journal insert: " + msg);
  }
  sq::sqlite3* db_;
  sq::sqlite3_stmt* st_ = nullptr;
};

void insert_sqlite(soci::session& sql, const std::string& date,
                   const std::vector<JournalRow>& rows) {
  auto* backend = static_cast<soci::sqlite3_session_backend*>(sql.get_backend());
  // Named parameters number themselves 1..32 in order of appearance.
  SqliteStatement st(backend->conn_, store::insert_or_ignore_sql(store::Backend::sqlite3, "journal",
                                                                 journal_columns()));
  std::array<Cell, column_count> cells;
  std::array<std::string, 3> times;
  for (const auto& row : rows) {
    cells_of(date, row, cells, times);
    st.run(cells);
  }
}

// ---- MySQL: multi-row INSERT text, values escaped by the client library.
constexpr std::size_t mysql_rows_per_statement = 500;

void append_escaped(MYSQL* conn, std::string& out, std::string_view text, std::string& scratch) {
  scratch.resize(text.size() * 2 + 1);
  const auto n = mysql_real_escape_string(conn, scratch.data(), text.data(),
                                          static_cast<unsigned long>(text.size()));
  out += '\'';
  out.append(scratch.data(), n);
  out += '\'';
}

void execute_mysql(MYSQL* conn, const std::string& q) {
  if (mysql_real_query(conn, q.data(), static_cast<unsigned long>(q.size())) != 0) {
    throw soci::soci_error(std::string("journal insert: ") + mysql_error(conn));
  }
}

void insert_mysql(soci::session& sql, const std::string& date,
                  const std::vector<JournalRow>& rows) {
  auto* backend = static_cast<soci::mysql_session_backend*>(sql.get_backend());
  MYSQL* conn = backend->conn_;
  std::string head = "INSERT INTO journal (";
  for (std::size_t i = 0; i < journal_columns().size(); ++i) {
    if (i > 0) head += ", ";
    head += journal_columns()[i];
  }
  head += ") VALUES ";
  const std::string tail = " ON DUPLICATE KEY UPDATE trading_date = trading_date";
  std::string q, scratch;
  std::array<Cell, column_count> cells;
  std::array<std::string, 3> times;
  char digits[24];
  std::size_t in_statement = 0;
  for (const auto& row : rows) {
    if (in_statement == 0) {
      q = head;
    } else {
      q += ',';
    }
    cells_of(date, row, cells, times);
    q += '(';
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) q += ',';
      const Cell& c = cells[i];
      if (c.type == Cell::Type::text) {
        append_escaped(conn, q, c.text, scratch);
      } else if (c.type == Cell::Type::integer) {
        const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, c.integer);
        q.append(digits, end);
      } else {
        q += "NULL";
      }
    }
    q += ')';
    if (++in_statement == mysql_rows_per_statement) {
      execute_mysql(conn, q + tail);
      in_statement = 0;
    }
  }
  if (in_statement > 0) execute_mysql(conn, q + tail);
}

}  // namespace

const std::vector<std::string_view>& journal_columns() {
  static const std::vector<std::string_view> cols = {
      "trading_date",  "kind",       "entry_key", "exec_id",         "session",
      "in_seq",        "order_id",   "cl_ord_id", "orig_cl_ord_id",  "ucc",
      "instrument_id", "product",    "side",      "exec_type",       "ord_status",
      "order_qty",     "ord_type",   "price",     "last_qty",        "last_px",
      "cum_qty",       "leaves_qty", "avg_px",    "transact_time",   "text",
      "rej_reason",    "origin",     "actor",     "idempotency_key", "reason",
      "placed_at",     "received_at"};
  return cols;
}

void insert_journal_rows(soci::session& sql, const std::string& trading_date,
                         const std::vector<JournalRow>& rows) {
  if (rows.empty()) return;
  if (store::backend_of(sql) == store::Backend::sqlite3) {
    insert_sqlite(sql, trading_date, rows);
  } else {
    insert_mysql(sql, trading_date, rows);
  }
}

}  // namespace irra::trading::detail
