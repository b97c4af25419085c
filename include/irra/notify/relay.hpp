// The outbox relay: one thread of its own, with its own database connection, that moves
// outbox rows (outbox.hpp) to the sink (sink.hpp). It reads the oldest rows in id order, in
// batches, hands them to the sink, and deletes each row only once the sink has confirmed it;
// a row not confirmed stays and is offered again, so delivery is at least once (consumers
// de-duplicate by event_id) and a crash at any moment loses nothing. It sleeps until woken
// (wake() after a commit that wrote events) or until a slow fallback poll; while the broker
// or the database is down it retries with capped exponential backoff, and the outbox grows.
//
// Thread rule: wake(), stats() and stop() may be called from any thread (wake() only
// notifies a condition variable, cheap enough for the reactor). The sink and the
// connection belong to the relay's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "irra/notify/sink.hpp"
#include "irra/store/database.hpp"

namespace soci {
class session;
}

namespace irra::notify {

struct RelayOptions {
  std::size_t batch_limit = 2000;                 // rows read and delivered at a time
  std::chrono::milliseconds poll_interval{2000};  // fallback when no wake() comes
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{5000};
};

// A snapshot for /metrics. Counters only grow.
struct RelayStats {
  std::uint64_t depth = 0;        // outbox rows not yet confirmed (as last counted)
  std::uint64_t published = 0;    // rows handed to the sink (every attempt)
  std::uint64_t confirmed = 0;    // rows confirmed by the sink (then deleted)
  std::uint64_t failed = 0;       // rows handed to the sink and not confirmed
  std::uint64_t sink_errors = 0;  // failed opens and broken deliveries
  std::uint64_t db_errors = 0;
  bool sink_connected = false;  // the broker connection (or the file) is open
  bool db_connected = false;
  std::string sink;        // the sink's describe()
  std::string last_error;  // "" when the last attempt succeeded
};

// Prometheus text for `s`: irra_outbox_depth, irra_outbox_{published,confirmed,failed}_total,
// irra_notify_sink_errors_total, irra_notify_broker_connected.
void render_prometheus(const RelayStats& s, std::string& out);

class Relay {
 public:
  // Starts the thread. `url` is the database holding the outbox (already migrated); the
  // relay connects on its own and reconnects after a failure.
  Relay(store::DbUrl url, std::unique_ptr<Sink> sink, RelayOptions options = {});
  ~Relay();  // stop(0): whatever is left stays in the outbox for the next start
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Something was committed to the outbox: look now.
  void wake();
  // Delivers what the outbox holds until it is empty or `deadline` passes (a sink call in
  // progress ends within its own timeout), then stops the thread. Idempotent.
  void stop(std::chrono::milliseconds deadline = std::chrono::seconds(5));
  RelayStats stats() const;

 private:
  void run();
  // One pass over the outbox until it is empty; false when something failed.
  bool drain();
  bool ensure_db();
  bool ensure_sink();
  bool delete_confirmed();
  std::vector<OutboxRow> read_batch();
  bool count_depth();
  void fail(bool db, const std::string& error);
  void succeed();
  bool wait_backoff();   // false: give up now (stopping past the deadline)
  bool give_up() const;  // requires mutex_

  const store::DbUrl url_;
  const RelayOptions options_;
  std::unique_ptr<Sink> sink_;           // relay thread only
  std::unique_ptr<soci::session> sql_;   // relay thread only
  std::vector<std::int64_t> to_delete_;  // relay thread only: confirmed, not yet deleted
  std::chrono::milliseconds backoff_;    // relay thread only
  std::chrono::steady_clock::time_point counted_at_{};  // relay thread only

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;                                // guarded by mutex_
  bool stopping_ = false;                             // guarded by mutex_
  std::chrono::steady_clock::time_point deadline_{};  // guarded by mutex_
  std::string last_error_;                            // guarded by mutex_

  std::atomic<std::uint64_t> depth_{0};
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> confirmed_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> sink_errors_{0};
  std::atomic<std::uint64_t> db_errors_{0};
  std::atomic<bool> sink_connected_{false};
  std::atomic<bool> db_connected_{false};
  const std::string sink_name_;

  std::mutex join_mutex_;
  std::thread thread_;  // last: starts after every member above exists
};

}  // namespace irra::notify
