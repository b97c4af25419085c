// `irra sod-import`: validate a start-of-day dump completely, then replace the previous
// day's start-of-day data with it in one transaction (all or nothing).
//
// Thread rule: runs on the caller's thread with the caller's session; nothing is shared.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "irra/sod/dump.hpp"
#include "irra/store/database.hpp"

namespace soci {
class session;
}

namespace irra::sod {

struct TableCounts {
  std::int64_t clients = 0;
  std::int64_t instruments = 0;
  std::int64_t positions = 0;
  std::int64_t holdings = 0;
  std::int64_t funds = 0;
};

struct ImportReport {
  bool ok = false;
  // "file:line: reason" (or "file: reason", or "database: reason"); at most 1000 lines,
  // then "... and N more errors".
  std::vector<std::string> errors;
  TableCounts counts;        // rows in the dump (and, after a good import, in each table)
  std::string trading_date;  // from the manifest, when it could be read
  std::chrono::milliseconds validate_time{0};
  std::chrono::milliseconds write_time{0};
};

// Reads and checks the dump in DIR without touching any database.
ImportReport validate_dump(const std::filesystem::path& dir);

// validate_dump(), then, only if there is no error at all, write_dump(). On any failure
// the database is left exactly as it was.
ImportReport import_dump(const std::filesystem::path& dir, soci::session& sql,
                         store::Backend backend);

// In one transaction: deletes every row of clients, instruments, sod_positions, holdings
// and funds, inserts the dump's rows and records a sod_imports row. Rolls back on any
// error, reported as "database: reason". Fills ok, errors, counts, trading_date, write_time.
ImportReport write_dump(const Dump& dump, soci::session& sql, store::Backend backend);

}  // namespace irra::sod
