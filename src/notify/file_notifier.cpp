// The `file` sink of notifier.hpp: a queue drained by one thread into an append-only file.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "irra/notify/notifier.hpp"

namespace irra::notify {
namespace {

using steady = std::chrono::steady_clock;

// Bounds one batch (and so the buffer it is serialised into); the rest waits for the next.
constexpr std::size_t batch_limit = 8192;
constexpr std::chrono::milliseconds backoff_initial{50};
constexpr std::chrono::milliseconds backoff_max{5000};

struct Item {
  std::string queue;
  nlohmann::json message;
};

int open_sink(const std::filesystem::path& file) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) {
    throw std::runtime_error("cannot create the folder of notification file " + file.string() +
                             ": " + ec.message());
  }
  const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::runtime_error("cannot open notification file " + file.string() + ": " +
                             std::strerror(errno));
  }
  // An older file may have been created more permissive; OTPs pass through it.
  if (::fchmod(fd, 0600) != 0) {
    const int err = errno;
    ::close(fd);
    throw std::runtime_error("cannot chmod notification file " + file.string() + ": " +
                             std::strerror(err));
  }
  return fd;
}

class FileNotifier final : public Notifier {
 public:
  FileNotifier(std::filesystem::path file, std::size_t capacity)
      : file_(std::move(file)), capacity_(capacity) {
    if (capacity_ == 0) throw std::invalid_argument("notifier capacity must be positive");
    fd_ = open_sink(file_);
    thread_ = std::thread([this] { run(); });
  }

  ~FileNotifier() override {
    stop();
    ::close(fd_);
  }

  bool publish(std::string_view queue, nlohmann::json message) override {
    if (queue.empty() || !message.is_object()) return false;
    if (!message.contains("event_id")) message["event_id"] = new_event_id();
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || backlog_.load(std::memory_order_relaxed) >= capacity_) return false;
      queue_.push_back(Item{std::string(queue), std::move(message)});
      backlog_.fetch_add(1, std::memory_order_relaxed);
    }
    wake_.notify_one();
    return true;
  }

  void stop(std::chrono::milliseconds deadline = std::chrono::seconds(5)) override {
    std::lock_guard stop_lock(stop_mutex_);  // a second caller waits for the first
    if (!thread_.joinable()) return;
    {
      std::unique_lock lock(mutex_);
      stopping_ = true;
      wake_.notify_all();
      if (!done_.wait_for(lock, deadline, [this] { return finished_; })) {
        abandon_ = true;  // the thread drops what is left after the write in progress
        wake_.notify_all();
      }
    }
    thread_.join();
  }

  std::uint64_t backlog() const override { return backlog_.load(std::memory_order_relaxed); }

 private:
  void run() {
    std::vector<Item> batch;
    std::string buffer;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
        if (queue_.empty() || abandon_) break;
        const std::size_t n = std::min(queue_.size(), batch_limit);
        batch.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      }
      buffer.clear();
      for (auto& item : batch) {
        item.message["queue"] = std::move(item.queue);
        // Invalid UTF-8 in a field must not lose the whole message.
        buffer += item.message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        buffer += '\n';
      }
      if (!write_durably(buffer)) {
        spdlog::error("notification file {}: {} messages dropped at stop", file_.string(),
                      batch.size());
      }
      backlog_.fetch_sub(batch.size(), std::memory_order_relaxed);
      batch.clear();
    }
    std::lock_guard lock(mutex_);
    if (!queue_.empty()) {
      spdlog::error("notification file {}: stop deadline passed, {} messages dropped",
                    file_.string(), queue_.size());
      backlog_.fetch_sub(queue_.size(), std::memory_order_relaxed);
      queue_.clear();
    }
    finished_ = true;
    done_.notify_all();
  }

  // Writes all of `data` and syncs it, retrying with backoff until it succeeds or stop()'s
  // deadline passes (false).
  bool write_durably(std::string_view data) {
    auto backoff = backoff_initial;
    std::size_t written = 0;
    for (;;) {
      const char* failed = nullptr;
      int err = 0;
      while (written < data.size()) {
        const ssize_t n = ::write(fd_, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          failed = "write";
          err = errno;
          break;
        }
        written += static_cast<std::size_t>(n);
      }
      if (failed == nullptr) {
        while (::fdatasync(fd_) != 0) {
          if (errno == EINTR) continue;
          failed = "fdatasync";
          err = errno;
          break;
        }
      }
      if (failed == nullptr) return true;
      spdlog::error("notification file {}: {} failed: {}; retrying in {} ms", file_.string(),
                    failed, std::strerror(err), backoff.count());
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, backoff, [this] { return abandon_; })) return false;
      backoff = std::min(backoff * 2, backoff_max);
    }
  }

  const std::filesystem::path file_;
  const std::size_t capacity_;
  int fd_ = -1;

  std::mutex stop_mutex_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;           // guarded by mutex_: work queued, stopping, abandon
  std::condition_variable done_;           // guarded by mutex_: finished_
  std::deque<Item> queue_;                 // guarded by mutex_
  bool stopping_ = false;                  // guarded by mutex_
  bool abandon_ = false;                   // guarded by mutex_
  bool finished_ = false;                  // guarded by mutex_
  std::atomic<std::uint64_t> backlog_{0};  // queued + being written
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Notifier> make_file_notifier(std::filesystem::path file, std::size_t capacity) {
  return std::make_unique<FileNotifier>(std::move(file), capacity);
}

}  // namespace irra::notify
