#include "market.hpp"

#include <algorithm>

namespace irra::sim {

market::market(std::vector<domain::Instrument> instruments, std::uint64_t seed)
    : instruments_(std::move(instruments)), rng_(seed) {
  const std::size_t n = instruments_.size();
  last_.resize(n);
  low_.resize(n);
  high_.resize(n);
  by_id_.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const domain::Instrument& in = instruments_[i];
    low_[i] = in.round_to_tick(in.lower_band, domain::Rounding::up);
    high_[i] = std::max(low_[i], in.round_to_tick(in.upper_band, domain::Rounding::down));
    last_[i] =
        std::clamp(in.round_to_tick(in.prev_close, domain::Rounding::nearest), low_[i], high_[i]);
    by_id_.emplace(in.exchange + ":" + in.symbol, i);
  }
}

std::optional<std::uint32_t> market::find(std::string_view exchange,
                                          std::string_view symbol) const {
  std::string id;
  id.reserve(exchange.size() + symbol.size() + 1);
  id.append(exchange).append(1, ':').append(symbol);
  return find(id);
}

std::optional<std::uint32_t> market::find(std::string_view instrument_id) const {
  const auto it = by_id_.find(std::string(instrument_id));
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

void market::step(std::vector<std::uint32_t>& changed) {
  for (std::uint32_t i = 0; i < instruments_.size(); ++i) {
    const std::uint64_t r = rng_();
    if ((r & 1) == 0) continue;
    const std::int64_t ticks = (r & 2) ? 1 : 2;
    const std::int64_t move = ((r & 4) ? ticks : -ticks) * instruments_[i].tick_size;
    const std::int64_t next = std::clamp(last_[i] + move, low_[i], high_[i]);
    if (next != last_[i]) {
      last_[i] = next;
      changed.push_back(i);
    }
  }
}

}  // namespace irra::sim
