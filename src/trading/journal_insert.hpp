// The journal's bulk insert, in each backend's fastest idempotent form, measured with
// test/bench/trading_ingest_bench.cpp:
//  SQLite  — prepared INSERTs of 32 rows per statement (one VDBE run per 32 rows instead of
//            per row), stepped through the C API with the values bound in place; the rest
//            of a batch one row per statement.
//  MariaDB — one prepared statement executed over arrays of values (the binary bulk
//            protocol, COM_STMT_BULK_EXECUTE): one round trip per few hundred rows and no SQL
//            text for the server to parse, which was most of its work per row. A server
//            without bulk execution (MySQL) gets multi-row INSERT text instead.
// Both are insert-or-ignore on UNIQUE(trading_date, kind, entry_key), so a re-run batch
// writes nothing twice. Prepared statements are kept in the writer's store::SessionCache for
// the next batch (preparing the SQLite statements costs about a millisecond); a call outside
// the writer prepares them for itself. Database errors throw soci::soci_error, which the
// writer treats as a failed batch (rolled back and run again).
//
// Thread rule: runs on the thread that owns `sql` (the writer thread).
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "journal.hpp"

namespace irra::trading::detail {

enum class InsertPath {
  fastest,     // as above
  one_by_one,  // SQLite: one row per statement (tests compare the paths)
  mysql_text,  // MySQL: multi-row INSERT text, as for a server without bulk execution
};

void insert_journal_rows(soci::session& sql, const std::string& trading_date,
                         const std::vector<JournalRow>& rows,
                         InsertPath path = InsertPath::fastest);

// The column names, in the order insert_journal_rows and read_journal use them.
const std::vector<std::string_view>& journal_columns();

// domain::format_iso8601() without its allocations and snprintf calls: the calendar date is
// formatted once per day seen, the clock digit by digit. Same text for every input.
class TimeFormatter {
 public:
  // The text of `t`, valid until the next call with the same `out`.
  std::string_view format(domain::Timestamp t, std::array<char, 48>& out);

 private:
  std::int64_t day_ = -1;
  std::array<char, 24> date_{};
  std::size_t date_size_ = 0;
};

}  // namespace irra::trading::detail
