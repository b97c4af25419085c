// The simulated market: every instrument of the dump with its last traded price, which
// follows a seeded random walk on the tick grid inside the price band, starting at the
// previous close. Thread rule: the simulator's single thread.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "irra/domain/instrument.hpp"

namespace irra::sim {

class market {
 public:
  market(std::vector<domain::Instrument> instruments, std::uint64_t seed);

  std::size_t size() const { return instruments_.size(); }
  const domain::Instrument& instrument(std::uint32_t i) const { return instruments_[i]; }
  // By SecurityExchange (207) and Symbol (55), or by "NSE:RELIANCE".
  std::optional<std::uint32_t> find(std::string_view exchange, std::string_view symbol) const;
  std::optional<std::uint32_t> find(std::string_view instrument_id) const;

  std::int64_t last(std::uint32_t i) const { return last_[i]; }
  // Lowest and highest prices on the tick grid inside the band.
  std::int64_t lowest(std::uint32_t i) const { return low_[i]; }
  std::int64_t highest(std::uint32_t i) const { return high_[i]; }
  // Moves the last price (must be on the grid and in the band: the caller checked).
  void set_last(std::uint32_t i, std::int64_t price) { last_[i] = price; }

  // One step of the walk: about half the instruments move one or two ticks. Appends the
  // instruments whose price changed.
  void step(std::vector<std::uint32_t>& changed);

 private:
  std::vector<domain::Instrument> instruments_;
  std::vector<std::int64_t> last_;
  std::vector<std::int64_t> low_;
  std::vector<std::int64_t> high_;
  std::unordered_map<std::string, std::uint32_t> by_id_;
  std::mt19937_64 rng_;
};

}  // namespace irra::sim
