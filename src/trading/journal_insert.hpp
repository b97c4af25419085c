// The journal's bulk insert, in each backend's fastest idempotent form: on SQLite one
// prepared statement stepped per row through the C API; on MySQL multi-row INSERT statements
// (one round trip per few hundred rows instead of one per row). Both are insert-or-ignore on
// UNIQUE(trading_date, kind, entry_key), so a re-run batch writes nothing twice. Database
// errors throw soci::soci_error, which the writer treats as a failed batch (rolled back and
// run again). Runs on the writer thread.
#pragma once

#include <vector>

#include "journal.hpp"

namespace irra::trading::detail {

void insert_journal_rows(soci::session& sql, const std::string& trading_date,
                         const std::vector<JournalRow>& rows);

// The column names, in the order insert_journal_rows and read_journal use them.
const std::vector<std::string_view>& journal_columns();

}  // namespace irra::trading::detail
