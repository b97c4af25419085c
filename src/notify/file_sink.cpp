// The `file` sink of sink.hpp: JSON lines, each batch written and fdatasync'ed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <system_error>

#include "irra/notify/sink.hpp"

namespace irra::notify {
namespace {

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// The line for one row: the message plus "queue" (the same form the sink always wrote).
void append_line(std::string& out, const OutboxRow& row) {
  auto message = nlohmann::json::parse(row.body, nullptr, false);
  if (!message.is_object()) {  // never written by IRRA; kept rather than lost
    message = nlohmann::json{{"event_id", row.event_id}, {"unparsed_body", row.body}};
  }
  message["queue"] = row.queue;
  out += message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += '\n';
}

class FileSink final : public Sink {
 public:
  explicit FileSink(std::filesystem::path file) : file_(std::move(file)) {}
  ~FileSink() override { close(); }

  std::string describe() const override { return "file " + file_.string(); }

  bool open(std::string& error) override {
    if (fd_ >= 0) return true;
    std::error_code ec;
    if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path(), ec);
    if (ec) {
      error = "cannot create the folder of " + file_.string() + ": " + ec.message();
      return false;
    }
    fd_ = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      error = errno_text(("open " + file_.string()).c_str());
      return false;
    }
    // An older file may have been created more permissive; OTPs pass through it.
    if (::fchmod(fd_, 0600) != 0) {
      error = errno_text(("chmod " + file_.string()).c_str());
      close();
      return false;
    }
    return true;
  }

  bool is_open() const override { return fd_ >= 0; }

  Delivery deliver(const std::vector<OutboxRow>& rows) override {
    Delivery d;
    d.confirmed.assign(rows.size(), false);
    buffer_.clear();
    for (const auto& row : rows) append_line(buffer_, row);
    const off_t start = ::lseek(fd_, 0, SEEK_END);
    if (start < 0) {
      d.error = errno_text("lseek");
      return d;
    }
    std::size_t written = 0;
    while (written < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        d.error = errno_text("write");
        break;
      }
      written += static_cast<std::size_t>(n);
    }
    while (d.error.empty() && ::fdatasync(fd_) != 0) {
      if (errno != EINTR) d.error = errno_text("fdatasync");
    }
    if (!d.error.empty()) {
      // No half line left for the next attempt to append to (best effort: the lines are
      // offered again anyway, and readers de-duplicate by event_id).
      if (::ftruncate(fd_, start) != 0) d.error += "; and could not cut the partial write";
      return d;
    }
    d.confirmed.assign(rows.size(), true);
    return d;
  }

  void close() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  const std::filesystem::path file_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace

std::unique_ptr<Sink> make_file_sink(std::filesystem::path file) {
  return std::make_unique<FileSink>(std::move(file));
}

}  // namespace irra::notify
