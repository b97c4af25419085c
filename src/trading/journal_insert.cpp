#include "journal_insert.hpp"

#include <mysql.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "irra/store/mysql_text.hpp"
#include "irra/store/session_cache.hpp"

namespace irra::trading::detail {
namespace {

constexpr std::size_t column_count = 32;

// One value of a row: text, an integer, or NULL.
struct Cell {
  enum class Type { text, integer, null } type = Type::null;
  std::string_view text;
  long long integer = 0;
};

// Which columns hold integers (the rest hold text); rej_reason may also be NULL.
constexpr std::array<bool, column_count> integer_column = {
    false, false, false, false, false, true,  false, false, false, false, false,
    false, false, false, false, true,  false, true,  true,  true,  true,  true,
    true,  false, false, true,  false, false, false, false, false, false};

// A row's values in journal_columns() order, with the formatted timestamps they point into
// (so it is neither copied nor moved once filled).
struct RowCells {
  std::array<Cell, column_count> cells;
  std::array<char, 48> transact_time{};
  std::array<char, 48> received_at{};

  RowCells() = default;
  RowCells(const RowCells&) = delete;
  RowCells& operator=(const RowCells&) = delete;

  void fill(const std::string& date, const JournalRow& row, TimeFormatter& times) {
    const auto& r = row.report;
    auto text = [](std::string_view s) { return Cell{Cell::Type::text, s, 0}; };
    auto integer = [](long long v) { return Cell{Cell::Type::integer, {}, v}; };
    const std::string_view transact = times.format(r.transact_time, transact_time);
    const std::string_view received = times.format(row.received_at, received_at);
    cells = {text(date), text(to_string(row.kind)), text(row.entry_key()),
             // The ExecID of an exec row; IRRA's own rows have none.
             row.kind == JournalKind::exec ? text(r.exec_id) : Cell{}, text(row.session),
             integer(static_cast<long long>(row.in_seq)), text(r.order_id), text(r.cl_ord_id),
             text(r.orig_cl_ord_id), text(r.ucc), text(r.instrument_id),
             text(domain::to_string(r.product)), text(domain::to_string(r.side)),
             text(domain::to_string(r.exec_type)), text(domain::to_string(r.ord_status)),
             integer(r.order_qty), text(domain::to_string(r.ord_type)), integer(r.price),
             integer(r.last_qty), integer(r.last_px), integer(r.cum_qty), integer(r.leaves_qty),
             integer(r.avg_px), text(transact), text(r.text),
             r.rej_reason ? integer(*r.rej_reason) : Cell{}, text(row.origin), text(row.actor),
             text(row.idempotency_key), text(row.reason),
             text(row.kind == JournalKind::order_new ? transact : std::string_view("")),
             text(received)};
  }
};

// "INSERT INTO journal (...) VALUES (?, ...), ... (`rows` tuples)" without a conflict clause.
std::string insert_sql(std::size_t rows) {
  std::string q = "INSERT INTO journal (";
  for (std::size_t i = 0; i < journal_columns().size(); ++i) {
    if (i > 0) q += ", ";
    q += journal_columns()[i];
  }
  q += ") VALUES ";
  std::string tuple = "(";
  for (std::size_t i = 0; i < column_count; ++i) tuple += i == 0 ? "?" : ",?";
  tuple += ')';
  for (std::size_t r = 0; r < rows; ++r) {
    if (r > 0) q += ',';
    q += tuple;
  }
  return q;
}

// ---- SQLite: prepared statements of 1 and of sqlite_rows_per_statement rows, values bound
// in place. 8 rows per statement already take most of the gain (4.5 -> 3.4 µs of CPU per
// row here); 32 take the rest without a costly prepare.
namespace sq = ::sqlite_api;

constexpr std::size_t sqlite_rows_per_statement = 32;

class SqliteStatement {
 public:
  SqliteStatement(sq::sqlite3* db, std::size_t rows) : db_(db), rows_(rows) {
    // Not INSERT OR IGNORE: that would also skip, silently, a row that breaks a NOT NULL
    // constraint (say of a column added later and not bound here).
    const std::string q = insert_sql(rows) + " ON CONFLICT DO NOTHING";
    if (sq::sqlite3_prepare_v2(db, q.c_str(), static_cast<int>(q.size()), &st_, nullptr) !=
        SQLITE_OK) {
      throw soci::soci_error(std::string("journal insert: ") + sq::sqlite3_errmsg(db));
    }
  }
  ~SqliteStatement() { sq::sqlite3_finalize(st_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  std::size_t rows() const { return rows_; }

  // Inserts rows()... rows; `rows` holds exactly that many.
  void run(const RowCells* rows) {
    int at = 1;
    for (std::size_t r = 0; r < rows_; ++r) {
      for (const Cell& c : rows[r].cells) {
        int rc = SQLITE_OK;
        switch (c.type) {
          case Cell::Type::text:
            // SQLITE_STATIC: the text outlives the step below. Never a null pointer, which
            // SQLite would bind as NULL.
            rc = sq::sqlite3_bind_text(st_, at, c.text.empty() ? "" : c.text.data(),
                                       static_cast<int>(c.text.size()), SQLITE_STATIC);
            break;
          case Cell::Type::integer:
            rc = sq::sqlite3_bind_int64(st_, at, c.integer);
            break;
          case Cell::Type::null:
            rc = sq::sqlite3_bind_null(st_, at);
            break;
        }
        if (rc != SQLITE_OK) fail();
        ++at;
      }
    }
    if (sq::sqlite3_step(st_) != SQLITE_DONE) fail();
    sq::sqlite3_reset(st_);
  }

 private:
  [[noreturn]] void fail() {
    const std::string msg = sq::sqlite3_errmsg(db_);
    sq::sqlite3_reset(st_);  // a statement is never left running (it would hold a read lock)
    throw soci::soci_error("journal insert: " + msg);
  }
  sq::sqlite3* db_;
  std::size_t rows_;
  sq::sqlite3_stmt* st_ = nullptr;
};

// What a session keeps between batches.
struct SqliteInserter final : store::SessionCache::Entry {
  SqliteInserter(sq::sqlite3* db, bool many_rows)
      : db(db),
        one(db, 1),
        many(many_rows ? std::make_unique<SqliteStatement>(db, sqlite_rows_per_statement)
                       : nullptr),
        cells(many ? sqlite_rows_per_statement : 1) {}

  sq::sqlite3* db;
  SqliteStatement one;
  std::unique_ptr<SqliteStatement> many;
  std::vector<RowCells> cells;
};

void insert_sqlite(soci::session& sql, const std::string& date, const std::vector<JournalRow>& rows,
                   InsertPath path) {
  auto* db = static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
  const bool many_rows = path == InsertPath::fastest;
  SqliteInserter* ins = nullptr;
  std::unique_ptr<SqliteInserter> own;
  if (store::SessionCache* cache = store::session_cache(sql); cache && many_rows) {
    constexpr std::string_view key = "trading.journal.sqlite";
    ins = dynamic_cast<SqliteInserter*>(cache->find(key));
    if (ins == nullptr || ins->db != db) {
      ins = &static_cast<SqliteInserter&>(
          cache->put(key, std::make_unique<SqliteInserter>(db, true)));
    }
  } else {
    // One call only: the multi-row statement would cost more to prepare than it saves.
    own = std::make_unique<SqliteInserter>(db, false);
    ins = own.get();
  }
  TimeFormatter times;
  std::size_t i = 0;
  if (ins->many) {
    const std::size_t n = ins->many->rows();
    for (; rows.size() - i >= n; i += n) {
      for (std::size_t k = 0; k < n; ++k) ins->cells[k].fill(date, rows[i + k], times);
      ins->many->run(ins->cells.data());
    }
  }
  for (; i < rows.size(); ++i) {
    ins->cells[0].fill(date, rows[i], times);
    ins->one.run(ins->cells.data());
  }
}

// ---- MariaDB: the bulk protocol, column-wise arrays.
constexpr std::size_t mysql_rows_per_execute = 256;
// Kept well under max_allowed_packet (16 MiB by default) whatever the rows hold.
constexpr std::size_t mysql_bytes_per_execute = 1 << 20;

bool bulk_supported(MYSQL* conn) {
  unsigned long basic = 0, extended = 0;
  if (mariadb_get_infov(conn, MARIADB_CONNECTION_SERVER_CAPABILITIES, &basic) != 0) return false;
  if (basic & CLIENT_MYSQL) return false;  // a MySQL server: it has no bulk execution
  if (mariadb_get_infov(conn, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &extended) != 0) {
    return false;
  }
  return (extended & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32)) != 0;
}

class MysqlBulkInserter final : public store::SessionCache::Entry {
 public:
  explicit MysqlBulkInserter(MYSQL* conn) : conn_(conn), rows_(mysql_rows_per_execute) {
    st_ = mysql_stmt_init(conn);
    if (st_ == nullptr) throw soci::soci_error("journal insert: out of memory");
    const std::string q = insert_sql(1) + " ON DUPLICATE KEY UPDATE trading_date = trading_date";
    if (mysql_stmt_prepare(st_, q.data(), static_cast<unsigned long>(q.size())) != 0) {
      const std::string msg = mysql_stmt_error(st_);
      mysql_stmt_close(st_);
      throw soci::soci_error("journal insert: " + msg);
    }
    for (auto& c : columns_) {
      c.text.resize(mysql_rows_per_execute);
      c.length.resize(mysql_rows_per_execute);
      c.integer.resize(mysql_rows_per_execute);
      c.indicator.resize(mysql_rows_per_execute);
    }
  }
  ~MysqlBulkInserter() override { mysql_stmt_close(st_); }
  MysqlBulkInserter(const MysqlBulkInserter&) = delete;
  MysqlBulkInserter& operator=(const MysqlBulkInserter&) = delete;

  MYSQL* conn() const { return conn_; }

  void insert(const std::string& date, const std::vector<JournalRow>& rows) {
    TimeFormatter times;
    std::size_t n = 0, bytes = 0;
    for (const auto& row : rows) {
      rows_[n].fill(date, row, times);
      bytes += add(n, rows_[n]);
      if (++n == mysql_rows_per_execute || bytes >= mysql_bytes_per_execute) {
        execute(n);
        n = 0;
        bytes = 0;
      }
    }
    if (n > 0) execute(n);
  }

 private:
  struct Column {
    std::vector<const char*> text;
    std::vector<unsigned long> length;
    std::vector<long long> integer;
    std::vector<char> indicator;
  };

  // Puts row `at` into the column arrays; returns about how many bytes it adds.
  std::size_t add(std::size_t at, const RowCells& row) {
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < column_count; ++i) {
      const Cell& c = row.cells[i];
      Column& col = columns_[i];
      col.indicator[at] = STMT_INDICATOR_NONE;
      if (c.type == Cell::Type::null) {
        col.indicator[at] = STMT_INDICATOR_NULL;
      } else if ((c.type == Cell::Type::integer) != integer_column[i]) {
        throw std::logic_error("journal insert: a value of the wrong type in column " +
                               std::string(journal_columns()[i]));
      } else if (integer_column[i]) {
        col.integer[at] = c.integer;
      } else {
        col.text[at] = c.text.empty() ? "" : c.text.data();
        col.length[at] = static_cast<unsigned long>(c.text.size());
      }
      bytes += c.text.size() + 9;
    }
    return bytes;
  }

  void execute(std::size_t n) {
    std::array<MYSQL_BIND, column_count> bind{};
    for (std::size_t i = 0; i < column_count; ++i) {
      Column& col = columns_[i];
      if (integer_column[i]) {
        bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
        bind[i].buffer = col.integer.data();
      } else {
        bind[i].buffer_type = MYSQL_TYPE_STRING;
        bind[i].buffer = col.text.data();  // column-wise strings: an array of pointers
        bind[i].length = col.length.data();
      }
      bind[i].u.indicator = col.indicator.data();
    }
    auto size = static_cast<unsigned int>(n);
    if (mysql_stmt_attr_set(st_, STMT_ATTR_ARRAY_SIZE, &size) != 0 ||
        mysql_stmt_bind_param(st_, bind.data()) != 0 || mysql_stmt_execute(st_) != 0) {
      throw soci::soci_error(std::string("journal insert: ") + mysql_stmt_error(st_));
    }
  }

  MYSQL* conn_;
  MYSQL_STMT* st_ = nullptr;
  std::vector<RowCells> rows_;
  std::array<Column, column_count> columns_;
};

// ---- MySQL without bulk execution: multi-row INSERT text, values escaped by the client
// library.
constexpr std::size_t mysql_text_rows_per_statement = 500;

void insert_mysql_text(MYSQL* conn, const std::string& date, const std::vector<JournalRow>& rows) {
  std::string head = "INSERT INTO journal (";
  for (std::size_t i = 0; i < journal_columns().size(); ++i) {
    if (i > 0) head += ", ";
    head += journal_columns()[i];
  }
  head += ") VALUES ";
  const std::string tail = " ON DUPLICATE KEY UPDATE trading_date = trading_date";
  std::string q, scratch;
  RowCells row_cells;
  TimeFormatter times;
  char digits[24];
  std::size_t in_statement = 0;
  for (const auto& row : rows) {
    if (in_statement == 0) {
      q = head;
    } else {
      q += ',';
    }
    row_cells.fill(date, row, times);
    q += '(';
    for (std::size_t i = 0; i < column_count; ++i) {
      if (i > 0) q += ',';
      const Cell& c = row_cells.cells[i];
      if (c.type == Cell::Type::text) {
        store::mysql_append_quoted(conn, q, c.text, scratch);
      } else if (c.type == Cell::Type::integer) {
        const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, c.integer);
        q.append(digits, end);
      } else {
        q += "NULL";
      }
    }
    q += ')';
    if (++in_statement == mysql_text_rows_per_statement) {
      store::mysql_execute(conn, q + tail, "journal insert");
      in_statement = 0;
    }
  }
  if (in_statement > 0) store::mysql_execute(conn, q + tail, "journal insert");
}

void insert_mysql(soci::session& sql, const std::string& date, const std::vector<JournalRow>& rows,
                  InsertPath path) {
  MYSQL* conn = static_cast<soci::mysql_session_backend*>(sql.get_backend())->conn_;
  if (path == InsertPath::mysql_text || !bulk_supported(conn)) {
    insert_mysql_text(conn, date, rows);
    return;
  }
  if (store::SessionCache* cache = store::session_cache(sql)) {
    constexpr std::string_view key = "trading.journal.mysql";
    auto* ins = dynamic_cast<MysqlBulkInserter*>(cache->find(key));
    if (ins == nullptr || ins->conn() != conn) {
      ins = &static_cast<MysqlBulkInserter&>(
          cache->put(key, std::make_unique<MysqlBulkInserter>(conn)));
    }
    ins->insert(date, rows);
    return;
  }
  MysqlBulkInserter(conn).insert(date, rows);
}

void put_two(char*& p, long long v) {
  *p++ = static_cast<char>('0' + v / 10);
  *p++ = static_cast<char>('0' + v % 10);
}

}  // namespace

std::string_view TimeFormatter::format(domain::Timestamp t, std::array<char, 48>& out) {
  constexpr std::int64_t micros_per_day = 86'400LL * domain::micros_per_second;
  const std::int64_t day = t / micros_per_day;
  if (t < 0 || day != day_) {
    const std::string full = domain::format_iso8601(t);
    const auto date_end = full.find('T');
    if (t < 0 || date_end == std::string::npos || date_end > date_.size() ||
        full.size() > out.size()) {
      const std::size_t n = std::min(full.size(), out.size());
      std::memcpy(out.data(), full.data(), n);
      return {out.data(), n};
    }
    std::memcpy(date_.data(), full.data(), date_end);
    date_size_ = date_end;
    day_ = day;
  }
  const std::int64_t in_day = t % micros_per_day;
  const std::int64_t secs = in_day / domain::micros_per_second;
  std::int64_t micros = in_day % domain::micros_per_second;
  char* p = out.data();
  std::memcpy(p, date_.data(), date_size_);
  p += date_size_;
  *p++ = 'T';
  put_two(p, secs / 3600);
  *p++ = ':';
  put_two(p, secs / 60 % 60);
  *p++ = ':';
  put_two(p, secs % 60);
  *p++ = '.';
  for (int i = 5; i >= 0; --i) {
    p[i] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  p += 6;
  *p++ = 'Z';
  return {out.data(), static_cast<std::size_t>(p - out.data())};
}

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
                         const std::vector<JournalRow>& rows, InsertPath path) {
  if (rows.empty()) return;
  if (store::backend_of(sql) == store::Backend::sqlite3) {
    insert_sqlite(sql, trading_date, rows, path);
  } else {
    insert_mysql(sql, trading_date, rows, path);
  }
}

}  // namespace irra::trading::detail
