// A sliding-window rate limiter: at most `limit` hits per key in any `window`.
//
// Thread rule: none; the owner (AuthStore, on the trading strand) serialises all calls.
//
// Each key keeps the times of its last `limit` accepted hits, so memory is bounded by
// limit * keys, and keys are bounded by `max_keys` (see hit()). Keys are expected to be
// unpredictable to clients (AuthStore passes keyed hashes), so the hash map cannot be flooded.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace irra::web {

class RateLimiter {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  RateLimiter(int limit, std::chrono::seconds window, std::size_t max_keys);

  // Zero when `key` may have one more hit now, else how long until it may (at least 1 s).
  // A limiter holding max_keys keys first drops stale ones; a new key that still does not fit
  // gets `window` (fails closed: refusing is safer than forgetting an attacker's count).
  std::chrono::seconds retry_after(const std::string& key, TimePoint now);
  // Records one hit (call only after retry_after() returned zero).
  void hit(const std::string& key, TimePoint now);
  // Drops keys with no hit inside the window.
  void sweep(TimePoint now);
  std::size_t size() const { return hits_.size(); }

 private:
  void prune(std::vector<TimePoint>& times, TimePoint now) const;

  std::size_t limit_;
  std::chrono::seconds window_;
  std::size_t max_keys_;
  std::unordered_map<std::string, std::vector<TimePoint>> hits_;  // oldest first
  TimePoint last_forced_sweep_{};
};

// The key an address is limited by: IPv4 as is (also when IPv4-mapped), IPv6 by its /64
// prefix (one host usually owns a whole /64); anything else verbatim. Investor and staff
// limits both use it.
std::string rate_key_of_ip(std::string_view ip);

}  // namespace irra::web
