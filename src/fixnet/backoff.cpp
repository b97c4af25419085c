#include "irra/fixnet/backoff.hpp"

#include <algorithm>

namespace irra::fixnet {

backoff::backoff(duration min, duration max, std::uint64_t seed)
    : min_(std::max(min, duration{1})), max_(std::max(max, min_)), rng_(seed) {}

backoff::duration backoff::next() {
  // Doubling stops long before overflow: 2^20 * min is far beyond any sane max.
  const std::uint32_t shift = std::min<std::uint32_t>(attempts_, 20);
  const auto base = std::min<duration::rep>(min_.count() << shift, max_.count());
  if (attempts_ < 64) ++attempts_;
  std::uniform_int_distribution<duration::rep> pick(base / 2, base);
  return std::clamp(duration{pick(rng_)}, min_, max_);
}

}  // namespace irra::fixnet
