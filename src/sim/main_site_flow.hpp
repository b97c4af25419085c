// The main site's trading day as the drop copy shows it: random orders of the dump's
// clients (eligible or not) on random instruments, each going new -> partial fills ->
// filled, with some cancels and rejects, and a few limit orders left resting far from
// the market (for IRRA to cancel during a square-off-all). Paced at `rate` reports per
// second from the first drop-copy Logon, batched per timer tick, optionally stopping
// after exactly `limit` reports. Which reports, in which order, depends only on the seed
// and the exchange's state (the dump, the prices, IRRA's orders and cancels); the pacing
// only decides how many go out per tick (but a wall-clock price walk makes the prices,
// and so the reports, depend on the timing). With --virtual-clock the flow also moves
// the exchange's clock: report k (from the start, at rate r) is stamped k/r seconds
// after the day's opening. Thread rule: the simulator's single thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "irra/fix/session_state.hpp"

namespace irra::sim {

class exchange;

class main_site_flow {
 public:
  main_site_flow(exchange& ex, std::uint64_t rate, std::uint64_t limit, std::uint64_t seed);

  // Starts the clock (first drop-copy Logon); later calls do nothing.
  void start(const fix::session_time& now);
  // Emits the reports due by `now` (none while `paused`: the drop copy is not draining).
  void on_tick(const fix::session_time& now, bool paused);
  // Changes the rate and/or the limit (control endpoint); restarts the pacing clock.
  void reconfigure(std::uint64_t rate, std::uint64_t limit, const fix::session_time& now);

  std::uint64_t rate() const { return rate_; }
  std::uint64_t limit() const { return limit_; }
  std::uint64_t emitted() const { return emitted_; }
  bool started() const { return started_; }
  bool done() const { return limit_ != 0 && emitted_ >= limit_; }
  std::size_t live_orders() const { return live_.size(); }
  // Virtual time since the day's opening of the next report: 1/rate s per report.
  std::chrono::nanoseconds clock() const;

 private:
  void emit_one(const fix::session_time& now);
  void new_order(const fix::session_time& now);
  void advance(std::size_t live_index, const fix::session_time& now);
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }

  exchange& ex_;
  std::uint64_t rate_;
  std::uint64_t limit_;
  std::mt19937_64 rng_;
  bool started_ = false;
  std::chrono::steady_clock::time_point epoch_{};
  std::uint64_t emitted_at_epoch_ = 0;
  std::uint64_t emitted_ = 0;
  std::uint64_t resting_ = 0;
  std::vector<std::uint32_t> live_;  // orders the flow will still fill or cancel
  // clock(): clock_base_ when clock_base_emitted_ reports were out (moved by reconfigure).
  std::chrono::nanoseconds clock_base_{0};
  std::uint64_t clock_base_emitted_ = 0;
};

}  // namespace irra::sim
