#include "irra/store/writer.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

namespace irra::store {
namespace {

using steady = std::chrono::steady_clock;

std::string first_line(std::string_view s) {
  return std::string(s.substr(0, s.find('\n')));
}

steady::time_point deadline_after(steady::duration timeout) {
  const auto now = steady::now();
  if (timeout >= steady::time_point::max() - now) return steady::time_point::max();
  return now + timeout;
}

}  // namespace

Writer::Writer(DbUrl url, std::unique_ptr<soci::session> session, WriterOptions options)
    : url_(std::move(url)), options_(options), session_(std::move(session)) {
  if (options_.capacity == 0 || options_.batch_limit == 0) {
    throw std::invalid_argument("writer capacity and batch_limit must be positive");
  }
  thread_ = std::thread([this] { run(); });
}

Writer::~Writer() {
  drain_and_stop(options_.stop_timeout);
}

bool Writer::submit(WriteJob job, WriteCompletion done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || backlog_.load(std::memory_order_relaxed) >= options_.capacity) {
      refused_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(Item{std::move(job), std::move(done), false, {}});
    backlog_.fetch_add(1, std::memory_order_relaxed);
  }
  wake_.notify_one();
  return true;
}

bool Writer::submit(WriteJob job, const boost::asio::any_io_executor& executor,
                    WriteCompletion done) {
  if (!done) return submit(std::move(job));
  return submit(std::move(job), [executor, done = std::move(done)](const WriteResult& r) {
    boost::asio::post(executor, [done, r] { done(r); });
  });
}

void Writer::add_rollback_listener(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

bool Writer::drain_and_stop(steady::duration timeout) {
  {
    std::lock_guard lock(mutex_);
    const auto deadline = deadline_after(timeout);
    if (!stopping_ || deadline < deadline_) deadline_ = deadline;
    stopping_ = true;
  }
  wake_.notify_all();
  std::lock_guard join_lock(join_mutex_);
  if (thread_.joinable()) thread_.join();
  return all_committed_;
}

std::chrono::milliseconds Writer::busy_for() const {
  const std::int64_t since = busy_since_ns_.load(std::memory_order_relaxed);
  if (since == idle_mark) return std::chrono::milliseconds{0};
  const std::int64_t now = steady::now().time_since_epoch().count();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      steady::duration(std::max<std::int64_t>(0, now - since)));
}

bool Writer::stalled(std::chrono::milliseconds busy) const {
  return options_.stall_threshold.count() > 0 && busy >= options_.stall_threshold;
}

void Writer::mark_busy(bool busy) {
  busy_since_ns_.store(busy ? steady::now().time_since_epoch().count() : idle_mark,
                       std::memory_order_relaxed);
}

bool Writer::healthy() const {
  return healthy_.load(std::memory_order_relaxed) && !stalled(busy_for());
}

std::string Writer::last_error() const {
  const auto busy = busy_for();
  if (stalled(busy)) {
    return "the database has not answered for " + std::to_string(busy.count()) + " ms";
  }
  std::lock_guard lock(mutex_);
  return last_error_;
}

WriterStats Writer::stats() const {
  constexpr auto r = std::memory_order_relaxed;
  WriterStats s;
  const auto busy = busy_for();
  s.stalled = stalled(busy);
  s.stalled_ms = s.stalled ? busy.count() : 0;
  s.healthy = healthy_.load(r) && !s.stalled;
  s.backlog = backlog_.load(r);
  s.capacity = options_.capacity;
  s.batches_committed = batches_.load(r);
  s.jobs_committed = jobs_committed_.load(r);
  s.jobs_failed = jobs_failed_.load(r);
  s.refused = refused_.load(r);
  s.batch_failures = batch_failures_.load(r);
  s.reconnects = reconnects_.load(r);
  s.last_commit_latency_us = last_latency_us_.load(r);
  s.latency_sum_us = latency_sum_us_.load(r);
  s.latency_count = latency_count_.load(r);
  for (std::size_t i = 0; i < buckets_.size(); ++i) s.latency_buckets[i] = buckets_[i].load(r);
  return s;
}

void Writer::run() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything accepted is done
      const std::size_t n = std::min(queue_.size(), options_.batch_limit);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (commit_batch(batch)) {
      complete(batch, false);
      batch.clear();
      continue;
    }
    // The stop deadline passed with the database still failing: give up on the rest.
    all_committed_ = false;
    complete(batch, true);
    std::deque<Item> rest;
    {
      std::lock_guard lock(mutex_);
      rest.swap(queue_);
    }
    std::vector<Item> tail(std::make_move_iterator(rest.begin()),
                           std::make_move_iterator(rest.end()));
    complete(tail, true);
    return;
  }
}

bool Writer::commit_batch(std::vector<Item>& batch) {
  auto delay = options_.backoff_initial;
  for (;;) {
    if (!session_) {
      try {
        mark_busy(true);
        session_ = connect(url_);
        mark_busy(false);
        reconnects_.fetch_add(1, std::memory_order_relaxed);
      } catch (const std::exception& e) {
        mark_busy(false);
        set_error(first_line(e.what()));
        if (!wait_backoff(delay)) return false;
        delay = std::min(delay * 2, options_.backoff_max);
        continue;
      }
    }
    std::string error;
    const auto started = steady::now();
    mark_busy(true);
    const Attempt attempt = try_batch(batch, error);
    mark_busy(false);
    switch (attempt) {
      case Attempt::committed: {
        const auto live =
            std::count_if(batch.begin(), batch.end(), [](const Item& i) { return !i.failed; });
        record_commit(steady::now() - started, static_cast<std::size_t>(live));
        return true;
      }
      case Attempt::job_failed:
        continue;  // re-run at once without the failed job
      case Attempt::db_failed:
        batch_failures_.fetch_add(1, std::memory_order_relaxed);
        set_error(error);
        // Closing the connection aborts the transaction on both backends, without
        // waiting on a ROLLBACK that a dead server would never answer. Cached statements
        // go first: SQLite does not close a connection that still has some.
        cache_.clear();
        session_.reset();
        notify_rollback();
        if (!wait_backoff(delay)) return false;
        delay = std::min(delay * 2, options_.backoff_max);
        continue;
    }
  }
}

Writer::Attempt Writer::try_batch(std::vector<Item>& batch, std::string& error) {
  try {
    // SQLite: take the write lock at once. A deferred transaction whose first job reads
    // (an audit append reads the chain head) fails with SQLITE_BUSY_SNAPSHOT when another
    // connection (a tool beside the server) commits before its first write; with the lock
    // taken first, the other connection waits out its busy timeout instead.
    if (url_.backend == Backend::sqlite3) {
      *session_ << "BEGIN IMMEDIATE";
    } else {
      session_->begin();
    }
  } catch (const std::exception& e) {
    error = first_line(e.what());
    return Attempt::db_failed;
  }
  const SessionCache::Bind bind(cache_, *session_);
  for (Item& item : batch) {
    if (item.failed) continue;
    try {
      item.job(*session_);
    } catch (const soci::soci_error& e) {
      error = first_line(e.what());
      return Attempt::db_failed;
    } catch (const std::exception& e) {
      item.failed = true;
      item.error = first_line(e.what());
    } catch (...) {
      item.failed = true;
      item.error = "unknown exception";
    }
    if (item.failed) {
      roll_back_quietly();
      notify_rollback();
      return Attempt::job_failed;
    }
  }
  try {
    session_->commit();
  } catch (const std::exception& e) {
    error = "commit failed: " + first_line(e.what());
    return Attempt::db_failed;
  }
  return Attempt::committed;
}

void Writer::roll_back_quietly() {
  try {
    session_->rollback();
  } catch (const std::exception&) {
    cache_.clear();
    session_.reset();  // the next attempt reconnects
  }
}

void Writer::notify_rollback() {
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard lock(mutex_);
    listeners = listeners_;
  }
  for (const auto& l : listeners) l();
}

bool Writer::wait_backoff(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  const auto until = steady::now() + delay;
  const auto gave_up = [this] { return stopping_ && steady::now() >= deadline_; };
  while (!gave_up() && steady::now() < until) {
    wake_.wait_until(lock, stopping_ ? std::min(until, deadline_) : until);
  }
  return !gave_up();
}

void Writer::complete(std::vector<Item>& batch, bool abandoned) {
  backlog_.fetch_sub(batch.size(), std::memory_order_relaxed);
  for (Item& item : batch) {
    WriteResult r;
    if (item.failed) {
      jobs_failed_.fetch_add(1, std::memory_order_relaxed);
      r = WriteResult{false, std::move(item.error)};
    } else if (abandoned) {
      r = WriteResult{false, "writer stopped before the database recovered"};
    }
    if (!item.done) continue;
    try {
      item.done(r);
    } catch (...) {  // a completion's bug must not stop the writer
    }
  }
}

void Writer::record_commit(steady::duration latency, std::size_t jobs) {
  constexpr auto r = std::memory_order_relaxed;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  batches_.fetch_add(1, r);
  jobs_committed_.fetch_add(jobs, r);
  last_latency_us_.store(us, r);
  latency_sum_us_.fetch_add(static_cast<std::uint64_t>(us), r);
  latency_count_.fetch_add(1, r);
  const auto it =
      std::lower_bound(writer_latency_bounds_us.begin(), writer_latency_bounds_us.end(), us);
  buckets_[static_cast<std::size_t>(it - writer_latency_bounds_us.begin())].fetch_add(1, r);
  healthy_.store(true, r);
}

void Writer::set_error(std::string error) {
  {
    std::lock_guard lock(mutex_);
    last_error_ = std::move(error);
  }
  healthy_.store(false, std::memory_order_relaxed);
}

}  // namespace irra::store
