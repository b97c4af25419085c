// A seeded random source whose every draw is specified here, so one seed gives the same
// dump on every platform (std::uniform_int_distribution and friends differ between
// standard libraries; std::mt19937_64 itself is fully specified by the standard).
//
// Thread rule: one generator per thread; it is a plain value.
#pragma once

#include <cstdint>
#include <limits>
#include <random>

namespace irra::tools {

class det_rng {
 public:
  explicit det_rng(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n); n must be positive. Rejection sampling keeps it unbiased.
  std::uint64_t below(std::uint64_t n) {
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t limit = max - max % n;
    std::uint64_t r = engine_();
    while (r >= limit) r = engine_();
    return r % n;
  }

  // Uniform in [lo, hi], both inclusive; lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }

  // True with probability pct / 100.
  bool percent(std::uint64_t pct) { return below(100) < pct; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace irra::tools
