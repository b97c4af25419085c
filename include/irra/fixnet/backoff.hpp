// Delays between reconnection attempts: capped exponential growth with jitter, so a
// flapping exchange (a "disconnect storm") or several initiators restarting together do
// not hammer the peer in lockstep. Pure and deterministic for a given seed.
// Thread rule: owned by one initiator; not synchronised.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace irra::fixnet {

class backoff {
 public:
  using duration = std::chrono::milliseconds;

  // `min` is the first delay's ceiling and every delay's floor; delays never exceed `max`.
  backoff(duration min, duration max, std::uint64_t seed);

  // The delay before the next attempt: base = min * 2^attempts (capped at max), drawn
  // uniformly from [base/2, base] but never below min ("equal jitter").
  duration next();
  // A connection stayed up: the next delay starts from min again.
  void reset() { attempts_ = 0; }
  std::uint32_t attempts() const { return attempts_; }

 private:
  duration min_;
  duration max_;
  std::uint32_t attempts_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace irra::fixnet
