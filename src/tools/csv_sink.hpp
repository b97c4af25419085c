// One output CSV file of the dump: rows are appended to a buffer that is written out and
// fed to SHA-256 in large chunks, so the checksum costs no second pass over the file.
//
// Thread rule: used by one thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace irra::tools {

class csv_sink {
 public:
  // Creates (or truncates) the file and writes the header row. Throws std::runtime_error.
  csv_sink(const std::filesystem::path& file, std::string_view header);
  ~csv_sink();
  csv_sink(const csv_sink&) = delete;
  csv_sink& operator=(const csv_sink&) = delete;

  // Build the next row in row(), then call end_row() (it adds the line feed).
  std::string& row() { return buf_; }
  void end_row();

  // Writes `written` as a data row but hashes `hashed` in its place: the file then no
  // longer matches the checksum the manifest records (used to break a dump on purpose).
  void write_row_hashed_as(std::string_view written, std::string_view hashed);

  // Flushes and closes; returns the SHA-256 of the file's bytes as lowercase hex.
  std::string finish();

  std::int64_t data_rows() const { return rows_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  void flush();
  void write_raw(std::string_view bytes);

  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  struct digest;
  std::unique_ptr<digest> digest_;
  std::string buf_;
  std::int64_t rows_ = 0;
};

}  // namespace irra::tools
