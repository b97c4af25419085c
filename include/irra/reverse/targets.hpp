// Where `irra reverse-migrate` writes a day's records: tables in the main system's database
// and/or files in a folder. Both are idempotent: a record already there in the same state
// is not written again, one whose state moved on (more fills, a cancel) is replaced, so a
// second run with nothing new writes nothing.
//
// Thread rule: functions of the caller's thread and session.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "irra/reverse/records.hpp"

namespace soci {
class session;
}

namespace irra::reverse {

struct WriteCounts {
  std::int64_t orders_new = 0;
  std::int64_t orders_updated = 0;
  std::int64_t trades_new = 0;
  std::int64_t trades_updated = 0;

  std::int64_t orders_written() const { return orders_new + orders_updated; }
  std::int64_t trades_written() const { return trades_new + trades_updated; }
  nlohmann::ordered_json to_json() const;
};

// CREATE TABLE IF NOT EXISTS for both tables (MySQL commits DDL by itself: call it before
// the transaction).
void create_target_tables(soci::session& target);

// Creates the tables when missing, then in ONE transaction (all or nothing) reads what the
// target holds for the day, inserts the records it lacks and updates the ones that
// differ. Throws soci::soci_error (the transaction rolled back) on a database error.
WriteCounts write_database(soci::session& target, const DayRecords& day);

// The files of a run, written into `dir` (created when missing): orders.csv, trades.csv,
// orders.json, trades.json and summary.json. Each file is replaced atomically (temporary
// file + rename) and only when its content changed. Counts are of records new or changed
// since the JSON files already there. Throws std::runtime_error naming the file on an I/O
// error.
struct FileResult {
  WriteCounts counts;
  nlohmann::ordered_json summary;  // as written to summary.json
};
FileResult write_files(const std::filesystem::path& dir, const DayRecords& day);

// The trading date of the files in `dir` (from its summary.json), nullopt when there are
// none or they cannot be read: a folder holds one day, and a run for another day must not
// replace it.
std::optional<std::string> files_trading_date(const std::filesystem::path& dir);

// The day's summary: counts by source and status, time range, the ACTIVE periods, and
// `files` (name -> {"rows", "sha256"}) when given. Depends only on the records, so two
// runs over the same journal give the same text.
nlohmann::ordered_json summary_of(const DayRecords& day,
                                  const nlohmann::ordered_json& files = nullptr);

// The files' contents (exposed for tests): RFC 4180 CSV with a header row, CRLF line ends;
// JSON as an array with one record object per line.
std::string orders_csv(const DayRecords& day);
std::string trades_csv(const DayRecords& day);
std::string orders_json(const DayRecords& day);
std::string trades_json(const DayRecords& day);

}  // namespace irra::reverse
