// Test helper: small start-of-day dumps written into temporary folders, with a manifest
// whose row counts and SHA-256s are computed here (independently of the code under test).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace soci {
class session;
}

namespace irra::sod::test {

struct DumpFiles {
  std::map<std::string, std::string> csv;  // file name -> exact bytes
  std::string trading_date = "2024-12-02";
  std::string generated_at = "2024-12-01T18:30:00Z";
  // Manifest values that should be wrong on purpose; by default they match the files.
  std::map<std::string, std::int64_t> rows_override;
  std::map<std::string, std::string> sha_override;
};

// A valid three-client dump (quoted names with a comma and doubled quotes included).
DumpFiles good_dump();
// Another valid dump for the next day, with different rows.
DumpFiles next_day_dump();

// A fresh temporary directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string sha256_hex(const std::string& bytes);
// Records in CSV text, header excluded: line breaks outside quotes, plus an unterminated
// last line.
std::int64_t data_rows(const std::string& csv);
// Writes the CSV files and manifest.json into dir.
void write_dump(const std::filesystem::path& dir, const DumpFiles& files);

// The database the tests use: $IRRA_TEST_DB_URL when set, else a SQLite file in dir.
// The five SOD tables and sod_imports are emptied first.
std::unique_ptr<soci::session> open_test_db(const std::filesystem::path& dir);
bool test_db_is_mysql();

}  // namespace irra::sod::test
