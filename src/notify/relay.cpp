#include "irra/notify/relay.hpp"

#include <fmt/format.h>
#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace irra::notify {
namespace {

using steady = std::chrono::steady_clock;

// Rows per DELETE statement (the ids are spelled out: another writer may commit a row with
// an id inside a batch's range after the batch was read, so a range would be wrong).
constexpr std::size_t delete_chunk = 500;
constexpr auto recount_interval = std::chrono::seconds(1);

std::string first_line(std::string_view s) {
  return std::string(s.substr(0, s.find('\n')));
}

steady::time_point deadline_after(std::chrono::milliseconds d) {
  return steady::now() + d;
}

}  // namespace

void render_prometheus(const RelayStats& s, std::string& out) {
  const auto metric = [&out](std::string_view type, std::string_view name, std::string_view help,
                             auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
  };
  metric("gauge", "irra_outbox_depth", "Events in the outbox not yet confirmed by the sink.",
         s.depth);
  metric("counter", "irra_outbox_published_total",
         "Events handed to the sink (each attempt counts).", s.published);
  metric("counter", "irra_outbox_confirmed_total",
         "Events the sink confirmed (then deleted from the outbox).", s.confirmed);
  metric("counter", "irra_outbox_failed_total",
         "Events handed to the sink and not confirmed (offered again later).", s.failed);
  metric("counter", "irra_notify_sink_errors_total",
         "Failed connections to, or broken deliveries through, the notification sink.",
         s.sink_errors);
  metric("gauge", "irra_notify_broker_connected",
         "1 when the notification sink (RabbitMQ, or the file) is open.", s.sink_connected ? 1 : 0);
}

Relay::Relay(store::DbUrl url, std::unique_ptr<Sink> sink, RelayOptions options)
    : url_(std::move(url)),
      options_(options),
      sink_(std::move(sink)),
      backoff_(options.backoff_initial),
      sink_name_(sink_ ? sink_->describe() : std::string()) {
  if (!sink_) throw std::invalid_argument("the relay needs a sink");
  if (options_.batch_limit == 0) throw std::invalid_argument("relay batch_limit must be positive");
  thread_ = std::thread([this] { run(); });
}

Relay::~Relay() {
  stop(std::chrono::milliseconds(0));
}

void Relay::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

void Relay::stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(mutex_);
    const auto at = deadline_after(deadline);
    if (!stopping_ || at < deadline_) deadline_ = at;
    stopping_ = true;
  }
  wake_.notify_all();
  std::lock_guard join(join_mutex_);
  if (thread_.joinable()) thread_.join();
}

RelayStats Relay::stats() const {
  constexpr auto r = std::memory_order_relaxed;
  RelayStats s;
  s.depth = depth_.load(r);
  s.published = published_.load(r);
  s.confirmed = confirmed_.load(r);
  s.failed = failed_.load(r);
  s.sink_errors = sink_errors_.load(r);
  s.db_errors = db_errors_.load(r);
  s.sink_connected = sink_connected_.load(r);
  s.db_connected = db_connected_.load(r);
  s.sink = sink_name_;
  std::lock_guard lock(mutex_);
  s.last_error = last_error_;
  return s;
}

bool Relay::give_up() const {
  return stopping_ && steady::now() >= deadline_;
}

void Relay::run() {
  bool ok = true;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      // After a failure the backoff was the wait: try again at once.
      if (ok && !stopping_) {
        wake_.wait_for(lock, options_.poll_interval, [this] { return woken_ || stopping_; });
      }
      woken_ = false;
      if (give_up()) break;
    }
    ok = drain();
    {
      std::lock_guard lock(mutex_);
      // Stopping and the outbox is empty (ok), or the deadline passed: done.
      if (stopping_ && (ok || give_up())) break;
    }
    if (!ok && !wait_backoff()) break;
  }
  const auto left = depth_.load(std::memory_order_relaxed);
  if (left > 0) {
    spdlog::warn(
        "outbox relay stopped with {} events not yet confirmed by {}: they are "
        "delivered after the next start",
        left, sink_name_);
  }
  sink_->close();
  sink_connected_.store(false, std::memory_order_relaxed);
  sql_.reset();
  db_connected_.store(false, std::memory_order_relaxed);
}

bool Relay::drain() {
  if (!ensure_db() || !delete_confirmed()) return false;
  for (;;) {
    if (steady::now() - counted_at_ >= recount_interval && !count_depth()) return false;
    std::vector<OutboxRow> rows;
    try {
      rows = read_batch();
    } catch (const std::exception& e) {
      fail(true, "reading the outbox: " + first_line(e.what()));
      return false;
    }
    if (rows.empty()) {
      depth_.store(0, std::memory_order_relaxed);
      succeed();
      return true;
    }
    if (!ensure_sink()) return false;
    published_.fetch_add(rows.size(), std::memory_order_relaxed);
    const Delivery d = sink_->deliver(rows);
    std::size_t ok = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (i < d.confirmed.size() && d.confirmed[i]) {
        to_delete_.push_back(rows[i].id);
        ++ok;
      }
    }
    confirmed_.fetch_add(ok, std::memory_order_relaxed);
    failed_.fetch_add(rows.size() - ok, std::memory_order_relaxed);
    if (!d.error.empty()) {
      sink_->close();
      sink_connected_.store(false, std::memory_order_relaxed);
      fail(false, sink_name_ + ": " + d.error);
      delete_confirmed();  // what was confirmed before it broke
      return false;
    }
    if (!delete_confirmed()) return false;
    if (ok < rows.size()) {
      fail(false, sink_name_ + ": " + std::to_string(rows.size() - ok) +
                      " events refused (nack or unroutable); offered again later");
      return false;
    }
    succeed();
    std::lock_guard lock(mutex_);
    if (give_up()) return false;
  }
}

bool Relay::ensure_db() {
  if (sql_) return true;
  try {
    sql_ = store::connect(url_);
    db_connected_.store(true, std::memory_order_relaxed);
    counted_at_ = {};
    return true;
  } catch (const std::exception& e) {
    fail(true, "connecting to the database: " + first_line(e.what()));
    return false;
  }
}

bool Relay::ensure_sink() {
  if (sink_->is_open()) return true;
  std::string error;
  if (sink_->open(error)) {
    sink_connected_.store(true, std::memory_order_relaxed);
    spdlog::info("outbox relay: {} open", sink_name_);
    return true;
  }
  fail(false, sink_name_ + ": " + error);
  return false;
}

bool Relay::delete_confirmed() {
  if (to_delete_.empty()) return true;
  try {
    soci::transaction tx(*sql_);
    for (std::size_t at = 0; at < to_delete_.size(); at += delete_chunk) {
      const std::size_t end = std::min(to_delete_.size(), at + delete_chunk);
      std::string q = "DELETE FROM outbox WHERE id IN (";
      for (std::size_t i = at; i < end; ++i) {
        if (i > at) q += ',';
        q += std::to_string(to_delete_[i]);
      }
      q += ')';
      *sql_ << q;
    }
    tx.commit();
  } catch (const std::exception& e) {
    // Kept: they are deleted (not delivered again) once the database is back.
    fail(true, "deleting confirmed events: " + first_line(e.what()));
    return false;
  }
  const auto n = to_delete_.size();
  auto depth = depth_.load(std::memory_order_relaxed);
  depth_.store(depth > n ? depth - n : 0, std::memory_order_relaxed);
  to_delete_.clear();
  return true;
}

std::vector<OutboxRow> Relay::read_batch() {
  const std::size_t n = options_.batch_limit;
  std::vector<long long> id(n);
  std::vector<std::string> event_id(n), queue(n), body(n);
  *sql_ << "SELECT id, event_id, queue, body FROM outbox ORDER BY id LIMIT " + std::to_string(n),
      soci::into(id), soci::into(event_id), soci::into(queue), soci::into(body);
  std::vector<OutboxRow> rows(id.size());
  for (std::size_t i = 0; i < id.size(); ++i) {
    rows[i] = OutboxRow{id[i], std::move(event_id[i]), std::move(queue[i]), std::move(body[i])};
  }
  return rows;
}

bool Relay::count_depth() {
  try {
    long long n = 0;
    *sql_ << "SELECT COUNT(*) FROM outbox", soci::into(n);
    depth_.store(static_cast<std::uint64_t>(std::max(0LL, n)), std::memory_order_relaxed);
    counted_at_ = steady::now();
    return true;
  } catch (const std::exception& e) {
    fail(true, "counting the outbox: " + first_line(e.what()));
    return false;
  }
}

void Relay::fail(bool db, const std::string& error) {
  if (db) {
    db_errors_.fetch_add(1, std::memory_order_relaxed);
    sql_.reset();  // reconnect on the next attempt
    db_connected_.store(false, std::memory_order_relaxed);
  } else {
    sink_errors_.fetch_add(1, std::memory_order_relaxed);
  }
  bool changed = false;
  {
    std::lock_guard lock(mutex_);
    changed = last_error_ != error;
    last_error_ = error;
  }
  // Once per distinct error, not once per retry.
  if (changed) spdlog::warn("outbox relay: {}; retrying with backoff", error);
}

void Relay::succeed() {
  backoff_ = options_.backoff_initial;
  bool was_failing = false;
  {
    std::lock_guard lock(mutex_);
    was_failing = !last_error_.empty();
    last_error_.clear();
  }
  if (was_failing) spdlog::info("outbox relay: delivering again through {}", sink_name_);
}

bool Relay::wait_backoff() {
  std::unique_lock lock(mutex_);
  const auto until = steady::now() + backoff_;
  while (!give_up() && steady::now() < until) {
    wake_.wait_until(lock, stopping_ ? std::min(until, deadline_) : until);
  }
  backoff_ = std::min(backoff_ * 2, options_.backoff_max);
  return !give_up();
}

}  // namespace irra::notify
