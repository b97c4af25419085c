// Makes a client's carried-forward positions, demat holdings and funds. Products fit the
// segment (CNC and MTF only for equity, F&O/currency/commodity as NRML or MIS), shorts only
// where a product allows them, derivative quantities in whole lots, prices on the tick grid
// near the previous close. The demo clients hold a fixed mix of long and short positions.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "det_rng.hpp"
#include "instrument_catalog.hpp"

namespace irra::tools {

struct position {
  std::size_t instrument = 0;
  std::string_view product;  // "MIS", "NRML", "CNC" or "MTF"
  std::int64_t net_qty = 0;
  std::int64_t avg_price = 0;  // paise
};

struct holding {
  std::size_t instrument = 0;
  std::int64_t qty = 0;
  std::int64_t avg_price = 0;  // paise
};

struct funds {
  std::int64_t opening_balance = 0;  // paise
  std::int64_t margin_used = 0;      // paise
  std::int64_t collateral = 0;       // paise
};

class portfolio_factory {
 public:
  explicit portfolio_factory(const instrument_catalog& catalog) : catalog_(catalog) {}

  // `count` distinct (instrument, product) positions; count <= the number of instruments.
  void make_positions(std::int64_t client_index, std::int64_t count, det_rng& rng,
                      std::vector<position>& out) const;
  // `count` distinct equities; count <= catalog.equities().size().
  void make_holdings(std::int64_t count, det_rng& rng, std::vector<holding>& out) const;
  funds make_funds(det_rng& rng) const;

 private:
  position random_position(det_rng& rng) const;
  std::int64_t price_near(std::size_t instrument, std::int64_t pct, det_rng& rng) const;

  const instrument_catalog& catalog_;
};

}  // namespace irra::tools
