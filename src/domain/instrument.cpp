#include "irra/domain/instrument.hpp"

#include <limits>

namespace irra::domain {
namespace {

// Floor division for a positive divisor, correct for negative numerators too.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

}  // namespace

bool Instrument::is_lot_multiple(Qty qty) const {
  if (!trades_in_lots()) return true;
  return lot_size > 0 && qty % lot_size == 0;
}

bool Instrument::on_tick(Paise price) const {
  return tick_size > 0 && price % tick_size == 0;
}

Paise Instrument::round_to_tick(Paise price, Rounding direction) const {
  if (tick_size <= 0) return price;
  const std::int64_t down = floor_div(price, tick_size) * tick_size;
  if (down == price) return price;
  const std::int64_t up = down + tick_size;
  switch (direction) {
    case Rounding::down:
      return down;
    case Rounding::up:
      return up;
    case Rounding::nearest:
      return (price - down) * 2 >= tick_size ? up : down;
  }
  return down;
}

Qty Instrument::max_order_qty() const {
  if (freeze_qty <= 0) return std::numeric_limits<Qty>::max();
  if (!trades_in_lots()) return freeze_qty;
  if (lot_size <= 0) return 0;
  return freeze_qty / lot_size * lot_size;
}

}  // namespace irra::domain
