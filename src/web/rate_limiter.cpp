#include "irra/web/rate_limiter.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>

namespace irra::web {

RateLimiter::RateLimiter(int limit, std::chrono::seconds window, std::size_t max_keys)
    : limit_(static_cast<std::size_t>(std::max(limit, 0))), window_(window), max_keys_(max_keys) {
  if (limit <= 0 || window <= std::chrono::seconds::zero() || max_keys == 0) {
    throw std::invalid_argument("rate limit, window and max_keys must be positive");
  }
}

void RateLimiter::prune(std::vector<TimePoint>& times, TimePoint now) const {
  const auto first_live =
      std::find_if(times.begin(), times.end(), [&](TimePoint t) { return t + window_ > now; });
  times.erase(times.begin(), first_live);
}

std::chrono::seconds RateLimiter::retry_after(const std::string& key, TimePoint now) {
  auto it = hits_.find(key);
  if (it == hits_.end()) {
    // A full sweep is O(keys): at most once a second, so a flood cannot make each call pay it.
    if (hits_.size() >= max_keys_ && now - last_forced_sweep_ >= std::chrono::seconds(1)) {
      last_forced_sweep_ = now;
      sweep(now);
    }
    return hits_.size() >= max_keys_ ? window_ : std::chrono::seconds::zero();
  }
  prune(it->second, now);
  if (it->second.size() < limit_) return std::chrono::seconds::zero();
  // The oldest hit of the last `limit` leaves the window first.
  const auto wait = it->second.front() + window_ - now;
  const auto secs = std::chrono::ceil<std::chrono::seconds>(wait);
  return std::max(secs, std::chrono::seconds(1));
}

void RateLimiter::hit(const std::string& key, TimePoint now) {
  auto& times = hits_[key];
  times.push_back(now);
  if (times.size() > limit_) times.erase(times.begin());
}

void RateLimiter::sweep(TimePoint now) {
  for (auto it = hits_.begin(); it != hits_.end();) {
    prune(it->second, now);
    it = it->second.empty() ? hits_.erase(it) : std::next(it);
  }
}

std::string rate_key_of_ip(std::string_view ip) {
  std::string text(ip);
  unsigned char v6[16];
  if (::inet_pton(AF_INET6, text.c_str(), v6) != 1) return text;
  static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(mapped, mapped + 12, v6)) {
    return std::to_string(v6[12]) + '.' + std::to_string(v6[13]) + '.' + std::to_string(v6[14]) +
           '.' + std::to_string(v6[15]);
  }
  return "v6/64:" + std::string(reinterpret_cast<const char*>(v6), 8);
}

}  // namespace irra::web
