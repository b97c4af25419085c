// Dialect-correct SQL for idempotent writes. Writer jobs may run more than once (a failed
// batch is retried, a lost COMMIT acknowledgement is indistinguishable from a lost commit),
// so every job's INSERT must be harmless the second time: use these.
// Pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "irra/store/database.hpp"

namespace irra::store {

// INSERT that does nothing when a row with the same primary or unique key exists.
// Placeholders are :column, bound in the order of `columns`.
//   SQLite: INSERT INTO t (a, b) VALUES (:a, :b) ON CONFLICT DO NOTHING
//   MySQL:  INSERT INTO t (a, b) VALUES (:a, :b) ON DUPLICATE KEY UPDATE a = a
// (not INSERT IGNORE / OR IGNORE, which would also swallow NOT NULL and range errors).
std::string insert_or_ignore_sql(Backend backend, std::string_view table,
                                 const std::vector<std::string_view>& columns);

// INSERT, or UPDATE the non-key columns when a row with the same key exists.
// `key_columns` (a subset of `columns`) is the conflict target on SQLite.
// With every column a key column it behaves as insert_or_ignore_sql.
std::string upsert_sql(Backend backend, std::string_view table,
                       const std::vector<std::string_view>& columns,
                       const std::vector<std::string_view>& key_columns);

}  // namespace irra::store
