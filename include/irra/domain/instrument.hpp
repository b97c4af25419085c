// A tradable instrument's facts from the start-of-day dump (instruments.csv): the lot, tick,
// freeze quantity and price band that every order must respect. A plain value type.
#pragma once

#include <string>

#include "irra/domain/enums.hpp"
#include "irra/domain/money.hpp"

namespace irra::domain {

enum class Rounding { down, up, nearest };

struct Instrument {
  std::string instrument_id;  // "NSE:RELIANCE", "NSE:NIFTY24DEC24000CE"
  std::string exchange;       // "NSE"
  Segment segment = Segment::eq;
  std::string symbol;  // "RELIANCE"
  Qty lot_size = 1;
  Paise tick_size = 5;
  Qty freeze_qty = 0;  // largest quantity of one order; 0 means no freeze limit
  Paise lower_band = 0;
  Paise upper_band = 0;
  Paise prev_close = 0;

  // F&O, currency and commodity quantities are whole lots; equity is traded in shares.
  bool trades_in_lots() const { return segment != Segment::eq; }
  bool is_lot_multiple(Qty qty) const;
  bool on_tick(Paise price) const;
  bool in_band(Paise price) const { return price >= lower_band && price <= upper_band; }
  // The nearest tick-grid price in the given direction (nearest rounds halves up).
  Paise round_to_tick(Paise price, Rounding direction) const;
  // The largest quantity one order may carry: freeze_qty rounded down to whole lots where
  // lots apply; 0 when even one lot is above the freeze quantity.
  Qty max_order_qty() const;
};

}  // namespace irra::domain
