// The database writer: the one thread that makes the server's state durable, so the
// reactor never waits on the database.
//
// Thread rule: submit(), stats(), healthy(), last_error() and drain_and_stop() may be
// called from any thread; submit() never blocks on the database (it holds a mutex only to
// push onto the queue). Jobs, their plain completions and rollback listeners run on the
// writer thread, which alone uses the session. Completions given an executor run there.
//
// Batching: the thread takes everything queued (up to batch_limit), runs it in ONE
// transaction and commits, then completes each job in submission order.
//
// Jobs must be idempotent and touch nothing but the session (and writer-thread caches
// that a rollback listener resets): a batch that fails on the database is rolled back,
// the session is reopened with capped exponential backoff, and the SAME batch is run
// again, in order, until it commits. A COMMIT whose acknowledgement was lost may even
// have committed already. Use store/sql_dialect.hpp for insert-or-ignore and upsert.
// Nothing is dropped or reordered; while failing, healthy() is false and last_error()
// says why, and the backlog (bounded by capacity) grows visibly until submit() refuses.
//
// A database that does not answer at all (a frozen server, a network that drops packets
// without a reset) makes no batch fail, it only hangs until the client's read timeout. So
// healthy() is also false while one call to the database (a batch, a connect) has been
// running longer than options.stall_threshold: callers that must not take on work which
// cannot be made durable (order entry, /readyz) see it within that threshold, and it turns
// true again by itself when the call returns.
//
// A job that throws something other than soci::soci_error (a bug or a refused input)
// fails alone: the batch is rolled back and run again without it, and only its
// completion gets the error. Chosen over a SAVEPOINT per job because it costs nothing
// on the normal path (a savepoint is two extra round trips per job on MySQL).
//
// While a job runs, store::session_cache(sql) finds the writer's SessionCache, where a job
// may keep prepared statements for the next jobs (store/session_cache.hpp).
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "irra/store/database.hpp"
#include "irra/store/session_cache.hpp"

namespace irra::store {

struct WriteResult {
  bool ok = true;
  std::string error;  // why the job failed (only when !ok)
};

using WriteJob = std::function<void(soci::session&)>;
using WriteCompletion = std::function<void(const WriteResult&)>;

struct WriterOptions {
  std::size_t capacity = 65536;  // jobs accepted but not yet committed, at most
  std::size_t batch_limit = 4096;
  std::chrono::milliseconds backoff_initial{50};
  std::chrono::milliseconds backoff_max{5000};
  std::chrono::milliseconds stop_timeout{30000};  // the destructor's drain deadline
  // healthy() is false while one database call has run this long (0: never).
  std::chrono::milliseconds stall_threshold{2000};
};

// Upper bounds (microseconds) of the commit latency histogram; a last, implicit +Inf
// bucket follows.
inline constexpr std::array<std::int64_t, 12> writer_latency_bounds_us = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};

// A snapshot for /metrics. Counters only grow.
struct WriterStats {
  bool healthy = true;  // as healthy(): not failing and not stalled
  bool stalled = false;  // the current database call has run past stall_threshold
  std::int64_t stalled_ms = 0;  // how long it has run, while stalled
  std::uint64_t backlog = 0;  // accepted, not yet committed (queued + current batch)
  std::uint64_t capacity = 0;
  std::uint64_t batches_committed = 0;
  std::uint64_t jobs_committed = 0;
  std::uint64_t jobs_failed = 0;  // jobs that threw (their completion got the error)
  std::uint64_t refused = 0;      // submit() returned false
  std::uint64_t batch_failures = 0;
  std::uint64_t reconnects = 0;
  std::int64_t last_commit_latency_us = 0;
  std::uint64_t latency_sum_us = 0;
  std::uint64_t latency_count = 0;
  // Non-cumulative counts per writer_latency_bounds_us bucket, then +Inf.
  std::array<std::uint64_t, writer_latency_bounds_us.size() + 1> latency_buckets{};
};

class Writer {
 public:
  // Takes over `session` (normally from open(), so start-up fails fast on a bad database)
  // and starts the thread. `url` is kept to reconnect after a failure; a null `session`
  // makes the first batch connect (with the same backoff while the database is down).
  Writer(DbUrl url, std::unique_ptr<soci::session> session, WriterOptions options = {});
  ~Writer();  // drain_and_stop(options.stop_timeout) unless already stopped
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues a job; `done` (optional) runs on the writer thread after the job's batch
  // commits (or the job fails). Returns false, counting a refusal, when the backlog is
  // at capacity or the writer is stopping; then neither the job nor `done` runs.
  bool submit(WriteJob job, WriteCompletion done = {});

  // As above, with `done` posted to `executor` (e.g. the caller's strand).
  bool submit(WriteJob job, const boost::asio::any_io_executor& executor, WriteCompletion done);

  // Runs on the writer thread after every rollback (of a failed batch, or of a batch
  // about to be re-run without a failed job), so caches of uncommitted state can reset.
  void add_rollback_listener(std::function<void()> listener);

  // Stops accepting, commits everything accepted, completes it and joins. If the
  // database stays down past `timeout`, gives up: the jobs not committed get
  // {ok=false} completions, and it returns false. True when everything committed.
  bool drain_and_stop(
      std::chrono::steady_clock::duration timeout = std::chrono::steady_clock::duration::max());

  // False while batches fail, or while the current database call is stalled.
  bool healthy() const;
  // Why healthy() is false: the last database error, or "the database has not answered
  // for N ms" while stalled.
  std::string last_error() const;
  WriterStats stats() const;
  std::uint64_t backlog() const { return backlog_.load(std::memory_order_relaxed); }
  std::size_t capacity() const { return options_.capacity; }
  Backend backend() const { return url_.backend; }

 private:
  struct Item {
    WriteJob job;
    WriteCompletion done;
    bool failed = false;
    std::string error;
  };

  void run();
  bool commit_batch(std::vector<Item>& batch);  // false: abandoned at the stop deadline
  enum class Attempt { committed, job_failed, db_failed };
  Attempt try_batch(std::vector<Item>& batch, std::string& error);
  void roll_back_quietly();
  void notify_rollback();
  bool wait_backoff(std::chrono::milliseconds delay);  // false: stop deadline passed
  void complete(std::vector<Item>& batch, bool abandoned);
  void record_commit(std::chrono::steady_clock::duration latency, std::size_t jobs);
  void set_error(std::string error);
  // How long the current database call has run (zero when none runs).
  std::chrono::milliseconds busy_for() const;
  bool stalled(std::chrono::milliseconds busy) const;
  // Marks the start (and, with `false`, the end) of a call on the database.
  void mark_busy(bool busy);

  const DbUrl url_;
  const WriterOptions options_;
  std::unique_ptr<soci::session> session_;  // writer thread only (after start)
  // Jobs' prepared statements for session_ (writer thread only); cleared before session_
  // closes, and declared after it so that it also goes first when the writer does.
  SessionCache cache_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;                          // guarded by mutex_
  bool stopping_ = false;                           // guarded by mutex_
  std::chrono::steady_clock::time_point deadline_;  // guarded by mutex_
  std::string last_error_;                          // guarded by mutex_
  std::vector<std::function<void()>> listeners_;    // guarded by mutex_

  std::atomic<bool> healthy_{true};  // false from a failed batch until one commits
  // steady_clock nanoseconds at the start of the current database call; idle_mark: none.
  static constexpr std::int64_t idle_mark = INT64_MIN;
  std::atomic<std::int64_t> busy_since_ns_{idle_mark};
  std::atomic<std::uint64_t> backlog_{0};
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> jobs_committed_{0};
  std::atomic<std::uint64_t> jobs_failed_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> batch_failures_{0};
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<std::int64_t> last_latency_us_{0};
  std::atomic<std::uint64_t> latency_sum_us_{0};
  std::atomic<std::uint64_t> latency_count_{0};
  std::array<std::atomic<std::uint64_t>, writer_latency_bounds_us.size() + 1> buckets_{};

  std::mutex join_mutex_;      // one joiner at a time
  bool all_committed_ = true;  // writer thread until joined
  std::thread thread_;         // last: starts after every member above exists
};

}  // namespace irra::store
