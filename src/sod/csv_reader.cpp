#include "irra/sod/csv_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sha256.hpp"

namespace irra::sod {
namespace {

class FileSource final : public ByteSource {
 public:
  explicit FileSource(int fd) : fd_(fd) {}
  ~FileSource() override { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  std::ptrdiff_t read(char* buf, std::size_t n) override {
    for (;;) {
      const ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return got;
      if (errno == EINTR) continue;
      error_ = std::strerror(errno);
      return -1;
    }
  }
  std::string error() const override { return error_; }

 private:
  int fd_;
  std::string error_;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : rest_(bytes) {}
  std::ptrdiff_t read(char* buf, std::size_t n) override {
    const std::size_t take = std::min(n, rest_.size());
    std::memcpy(buf, rest_.data(), take);
    rest_.remove_prefix(take);
    return static_cast<std::ptrdiff_t>(take);
  }
  std::string error() const override { return {}; }

 private:
  std::string_view rest_;
};

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

std::unique_ptr<ByteSource> ByteSource::open_file(const std::filesystem::path& file,
                                                  std::string& error) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return nullptr;
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::make_unique<FileSource>(fd);
}

std::unique_ptr<ByteSource> ByteSource::from_memory(std::string_view bytes) {
  return std::make_unique<MemorySource>(bytes);
}

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, CsvLimits limits)
    : source_(std::move(source)),
      sha_(std::make_unique<Sha256>()),
      limits_(limits),
      buf_(std::max<std::size_t>(limits.chunk_bytes, 4)) {
  rec_.reserve(limits_.max_record_bytes);
  field_ends_.reserve(limits_.max_fields);
  fields_.reserve(limits_.max_fields);
}

CsvReader::~CsvReader() = default;

// Refills the buffer once everything in it has been consumed. The first fill collects at
// least three bytes (or the whole input) so a BOM is recognised even from a slow source.
bool CsvReader::fill() {
  if (eof_) return false;
  pos_ = 0;
  end_ = 0;
  do {
    const std::ptrdiff_t got = source_->read(buf_.data() + end_, buf_.size() - end_);
    if (got < 0) {
      read_failed_ = true;
      eof_ = true;
      break;
    }
    if (got == 0) {
      eof_ = true;
      break;
    }
    sha_->update(buf_.data() + end_, static_cast<std::size_t>(got));
    end_ += static_cast<std::size_t>(got);
    bytes_read_ += static_cast<std::uint64_t>(got);
  } while (first_fill_ && end_ < kBom.size());
  if (first_fill_) {
    first_fill_ = false;
    if (std::string_view(buf_.data(), end_).starts_with(kBom)) pos_ = kBom.size();
  }
  return pos_ < end_;
}

CsvReader::Status CsvReader::fail(std::uint64_t line, std::string reason) {
  done_ = true;
  done_status_ = Status::error;
  error_ = std::move(reason);
  error_line_ = line;
  return Status::error;
}

bool CsvReader::append(const char* begin, const char* end) {
  const auto n = static_cast<std::size_t>(end - begin);
  if (n == 0) return true;
  // Report whichever bound the bytes cross first, so the error does not depend on how
  // the input was split into chunks.
  const std::size_t field_room = limits_.max_field_bytes - (rec_.size() - field_begin_);
  const std::size_t record_room = limits_.max_record_bytes - rec_.size();
  if (n > std::min(field_room, record_room)) {
    if (field_room <= record_room) {
      fail(line_, "field " + std::to_string(field_ends_.size() + 1) + " is longer than " +
                      std::to_string(limits_.max_field_bytes) + " bytes");
    } else {
      fail(record_line_,
           "record is longer than " + std::to_string(limits_.max_record_bytes) + " bytes");
    }
    return false;
  }
  rec_.append(begin, n);
  return true;
}

bool CsvReader::end_field() {
  if (field_ends_.size() == limits_.max_fields) {
    fail(line_, "record has more than " + std::to_string(limits_.max_fields) + " fields");
    return false;
  }
  field_ends_.push_back(rec_.size());
  field_begin_ = rec_.size();
  return true;
}

CsvReader::Status CsvReader::finish_record() {
  fields_.clear();
  std::size_t begin = 0;
  for (const std::size_t end : field_ends_) {
    fields_.emplace_back(rec_.data() + begin, end - begin);
    begin = end;
  }
  return Status::record;
}

CsvReader::Status CsvReader::next() {
  if (done_) return done_status_;
  rec_.clear();
  field_ends_.clear();
  field_begin_ = 0;
  record_line_ = line_;
  State state = State::field_start;
  bool started = false;

  for (;;) {
    if (pos_ == end_ && !fill()) {
      if (read_failed_) return fail(line_, "read error: " + source_->error());
      if (!started) {
        done_ = true;
        done_status_ = Status::end;
        return Status::end;
      }
      if (state == State::quoted) {
        return fail(quote_line_, "unterminated quoted field (the quote opens on line " +
                                     std::to_string(quote_line_) + ")");
      }
      // The last record may lack a final line break.
      if (!end_field()) return Status::error;
      return finish_record();
    }
    started = true;
    const char* const base = buf_.data();
    const char* p = base + pos_;
    const char* const e = base + end_;

    switch (state) {
      case State::field_start:
        if (*p == '"') {
          state = State::quoted;
          quote_line_ = line_;
          ++pos_;
        } else {
          state = State::unquoted;
        }
        break;

      case State::unquoted: {
        const char* q = p;
        while (q < e && *q != ',' && *q != '\n' && *q != '\r' && *q != '"') ++q;
        if (!append(p, q)) return Status::error;
        pos_ = static_cast<std::size_t>(q - base);
        if (q == e) break;
        ++pos_;
        if (*q == ',') {
          if (!end_field()) return Status::error;
          state = State::field_start;
        } else if (*q == '\n') {
          ++line_;
          if (!end_field()) return Status::error;
          return finish_record();
        } else if (*q == '\r') {
          state = State::cr_seen;
        } else {
          return fail(line_,
                      "stray quote in unquoted field " + std::to_string(field_ends_.size() + 1));
        }
        break;
      }

      case State::quoted: {
        const char* q = p;
        while (q < e && *q != '"' && *q != '\n') ++q;
        if (q < e && *q == '\n') ++q;  // a line break inside quotes is data
        if (!append(p, q)) return Status::error;
        pos_ = static_cast<std::size_t>(q - base);
        if (q > p && q[-1] == '\n') {
          ++line_;
        } else if (q < e) {
          ++pos_;
          state = State::quote_seen;
        }
        break;
      }

      case State::quote_seen:
        ++pos_;
        if (*p == '"') {  // a doubled quote stands for one quote
          if (!append(p, p + 1)) return Status::error;
          state = State::quoted;
        } else if (*p == ',') {
          if (!end_field()) return Status::error;
          state = State::field_start;
        } else if (*p == '\n') {
          ++line_;
          if (!end_field()) return Status::error;
          return finish_record();
        } else if (*p == '\r') {
          state = State::cr_seen;
        } else {
          return fail(line_, "stray quote in field " + std::to_string(field_ends_.size() + 1) +
                                 ": a closing quote must be followed by a comma or line end");
        }
        break;

      case State::cr_seen:
        if (*p != '\n') return fail(line_, "carriage return not followed by a line feed");
        ++pos_;
        ++line_;
        if (!end_field()) return Status::error;
        return finish_record();
    }
  }
}

std::string CsvReader::finish_sha256() {
  if (sha_ == nullptr) return {};
  while (fill()) pos_ = end_;
  pos_ = end_;
  if (!done_) {
    done_ = true;
    done_status_ = Status::end;
  }
  if (read_failed_) return {};
  std::string hex = sha_->final_hex();
  sha_.reset();
  return hex;
}

}  // namespace irra::sod
