// A streaming RFC 4180 CSV reader for the start-of-day dump.
//
// Reads its source in large chunks, hashes every byte with SHA-256 in the same pass (so a
// dump file is read once), and yields one record at a time as string_views that stay
// valid until the next call to next(). Quoted fields may hold commas, doubled quotes and
// line breaks; records end with LF or CRLF; a UTF-8 BOM at the very start is skipped (but
// hashed). Field, record and column counts are bounded, so a hostile file cannot make the
// reader grow without limit.
//
// Thread rule: one reader is used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace irra::sod {

class Sha256;

struct CsvLimits {
  std::size_t max_field_bytes = 4096;
  std::size_t max_record_bytes = 16 * 1024;
  std::size_t max_fields = 64;
  std::size_t chunk_bytes = 1 << 20;  // at least 4
};

// Where the bytes come from. read() returns how many bytes it put in buf (0 = end of
// input) or -1 on a read error, with a reason in error().
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::ptrdiff_t read(char* buf, std::size_t n) = 0;
  virtual std::string error() const = 0;

  // Throws nothing: a file that cannot be opened gives nullptr and a reason in `error`.
  static std::unique_ptr<ByteSource> open_file(const std::filesystem::path& file,
                                               std::string& error);
  // The bytes must outlive the source.
  static std::unique_ptr<ByteSource> from_memory(std::string_view bytes);
};

class CsvReader {
 public:
  enum class Status { record, end, error };

  explicit CsvReader(std::unique_ptr<ByteSource> source, CsvLimits limits = {});
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // The next record, the end of input, or an error (sticky: later calls return it again).
  Status next();

  // The current record's fields; valid until the next call to next().
  const std::vector<std::string_view>& fields() const { return fields_; }
  // 1-based physical line on which the current record starts.
  std::uint64_t line() const { return record_line_; }

  // After Status::error: the reason (no file or line) and the line it refers to.
  const std::string& error() const { return error_; }
  std::uint64_t error_line() const { return error_line_; }

  // Reads whatever is left without parsing it (so the checksum covers the whole file,
  // even after an error) and returns the SHA-256 of every byte as lowercase hex.
  // Returns an empty string if the source failed to read.
  std::string finish_sha256();

  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  enum class State { field_start, unquoted, quoted, quote_seen, cr_seen };

  bool fill();
  Status fail(std::uint64_t line, std::string reason);
  bool end_field();
  bool append(const char* begin, const char* end);
  Status finish_record();

  std::unique_ptr<ByteSource> source_;
  std::unique_ptr<Sha256> sha_;
  CsvLimits limits_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  bool read_failed_ = false;
  bool first_fill_ = true;
  std::uint64_t bytes_read_ = 0;

  std::string rec_;                      // unescaped bytes of the current record
  std::vector<std::size_t> field_ends_;  // offsets into rec_
  std::size_t field_begin_ = 0;
  std::vector<std::string_view> fields_;
  std::uint64_t line_ = 1;
  std::uint64_t record_line_ = 0;
  std::uint64_t quote_line_ = 0;
  bool done_ = false;
  Status done_status_ = Status::end;
  std::string error_;
  std::uint64_t error_line_ = 0;
};

}  // namespace irra::sod
