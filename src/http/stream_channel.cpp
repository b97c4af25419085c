#include "stream_channel.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <utility>

namespace irra::http {

StreamChannel::StreamChannel(boost::asio::any_io_executor strand, std::size_t backlog_limit,
                             std::function<void()> wake)
    : backlog_limit_(backlog_limit), wake_(std::move(wake)), strand_(std::move(strand)) {}

// Posting under the lock is safe: the strand never calls back into the channel while
// enqueueing, and it keeps strand_ from being dropped by detach() mid-post.

bool StreamChannel::send(std::string bytes) {
  std::string dropped;  // freed after the lock is released
  std::lock_guard lock(mutex_);
  if (ended_ || close_requested_ || overflowed_) return false;
  if (queue_.size() + in_flight_ + bytes.size() > backlog_limit_) {
    // A consumer this far behind will not catch up: end the stream now rather than hold
    // its backlog; the client reconnects and re-reads its snapshots.
    overflowed_ = true;
    dropped.swap(queue_);
    // Even if a take() is due: the connection must close without waiting for its write.
    if (strand_) boost::asio::post(strand_, wake_);
    return false;
  }
  if (queue_.empty()) {
    queue_ = std::move(bytes);
  } else {
    queue_ += bytes;
  }
  if (!std::exchange(wake_pending_, true) && strand_) boost::asio::post(strand_, wake_);
  return true;
}

void StreamChannel::close() {
  std::lock_guard lock(mutex_);
  if (ended_ || close_requested_ || overflowed_) return;
  close_requested_ = true;
  if (!std::exchange(wake_pending_, true) && strand_) boost::asio::post(strand_, wake_);
}

bool StreamChannel::is_open() const {
  std::lock_guard lock(mutex_);
  return !ended_ && !close_requested_ && !overflowed_;
}

void StreamChannel::on_close(std::function<void()> callback) {
  std::function<void()> replaced;  // destroyed after the lock is released
  {
    std::lock_guard lock(mutex_);
    if (!ended_) {
      replaced = std::exchange(on_close_, std::move(callback));
      return;
    }
    if (strand_) {
      if (callback) boost::asio::post(strand_, std::move(callback));
      return;
    }
  }
  if (callback) callback();  // the connection and its strand are gone
}

StreamChannel::Batch StreamChannel::take() {
  std::lock_guard lock(mutex_);
  wake_pending_ = false;
  Batch batch{std::move(queue_), close_requested_};
  queue_.clear();
  in_flight_ += batch.bytes.size();
  return batch;
}

void StreamChannel::written(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  in_flight_ -= std::min(bytes, in_flight_);
}

bool StreamChannel::overflowed() const {
  std::lock_guard lock(mutex_);
  return overflowed_;
}

void StreamChannel::end() {
  std::function<void()> callback;
  std::string dropped;
  {
    std::lock_guard lock(mutex_);
    if (ended_) return;
    ended_ = true;
    dropped.swap(queue_);
    callback.swap(on_close_);
    if (strand_) {
      if (callback) boost::asio::post(strand_, std::move(callback));
      return;
    }
  }
  if (callback) callback();
}

void StreamChannel::detach() {
  boost::asio::any_io_executor strand;  // released after the lock
  std::function<void()> callback;       // never run: see the header
  std::string dropped;
  std::lock_guard lock(mutex_);  // declared last: released first
  strand.swap(strand_);
  if (!ended_) {
    ended_ = true;
    dropped.swap(queue_);
    callback.swap(on_close_);
  }
}

}  // namespace irra::http
