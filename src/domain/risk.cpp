#include "irra/domain/risk.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "wide_int.hpp"

namespace irra::domain {
namespace {

constexpr std::int64_t bps_per_unit = 10'000;

SquareOffPlan refuse(RiskErrc e, std::string message) {
  SquareOffPlan p;
  p.error = e;
  p.message = std::move(message);
  return p;
}

Qty abs_qty(Qty q) {
  return q < 0 ? -q : q;
}

// Floor or ceiling of a / b for b > 0, in 128 bits.
detail::int128 div_floor(detail::int128 a, detail::int128 b) {
  const detail::int128 q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}
detail::int128 div_ceil(detail::int128 a, detail::int128 b) {
  const detail::int128 q = a / b;
  return (a % b != 0 && a > 0) ? q + 1 : q;
}

}  // namespace

std::string_view to_string(RiskErrc e) {
  switch (e) {
    case RiskErrc::ok:
      return "ok";
    case RiskErrc::no_position:
      return "no_position";
    case RiskErrc::increases_risk:
      return "increases_risk";
    case RiskErrc::not_lot_multiple:
      return "not_lot_multiple";
    case RiskErrc::off_tick:
      return "off_tick";
    case RiskErrc::outside_band:
      return "outside_band";
    case RiskErrc::invalid_quantity:
      return "invalid_quantity";
    case RiskErrc::invalid_price:
      return "invalid_price";
    case RiskErrc::no_reference_price:
      return "no_reference_price";
    case RiskErrc::unknown_instrument:
      return "unknown_instrument";
  }
  return "unknown";
}

Qty PositionFacts::squareoff_qty() const {
  const Qty left = abs_qty(net_qty) - pending_exit_qty;
  return left > 0 ? left : 0;
}

PositionFacts position_facts(const Book& book, const PositionKey& key) {
  PositionFacts f;
  if (const Position* p = book.position(key)) f.net_qty = p->net_qty();
  f.pending_exit_qty = book.pending_exit_qty(key);
  return f;
}

Qty SquareOffPlan::total_qty() const {
  Qty total = 0;
  for (const auto& s : slices) total += s.qty;
  return total;
}

std::optional<Paise> protected_price(const Instrument& instrument, Side side,
                                     std::optional<Paise> ltp, std::int64_t protection_bps) {
  const Paise tick = instrument.tick_size;
  if (tick <= 0) return std::nullopt;
  const Paise reference = ltp && *ltp > 0 ? *ltp : instrument.prev_close;
  if (reference <= 0) return std::nullopt;
  const std::int64_t bps = std::clamp<std::int64_t>(protection_bps, 0, bps_per_unit - 1);

  // Exact: price = reference * (1 -/+ bps/10000), then to the tick grid away from the
  // market, in one rational rounding so no intermediate rounding can move it.
  detail::int128 price = 0;
  if (side == Side::sell) {
    const detail::int128 num = detail::int128{reference} * (bps_per_unit - bps);
    price = div_floor(num, detail::int128{bps_per_unit} * tick) * tick;
  } else {
    const detail::int128 num = detail::int128{reference} * (bps_per_unit + bps);
    price = div_ceil(num, detail::int128{bps_per_unit} * tick) * tick;
  }
  // The band's tick-grid prices: [lowest on-tick >= lower, highest on-tick <= upper],
  // and never below one tick.
  const Paise lo = std::max(instrument.round_to_tick(instrument.lower_band, Rounding::up), tick);
  const Paise hi = instrument.round_to_tick(instrument.upper_band, Rounding::down);
  if (lo > hi) return std::nullopt;
  if (price < lo) price = lo;
  if (price > hi) price = hi;
  return static_cast<Paise>(price);
}

SquareOffPlan plan_square_off(const PositionFacts& position, const Instrument& instrument,
                              std::optional<Paise> ltp, const SquareOffRequest& request,
                              const RiskSettings& settings) {
  if (request.qty && *request.qty <= 0) {
    return refuse(RiskErrc::invalid_quantity, "quantity must be positive");
  }
  if (position.net_qty == 0) return refuse(RiskErrc::no_position, "no open position");

  const Qty allowed = position.squareoff_qty();
  const Qty qty = request.qty.value_or(allowed);
  if (allowed == 0) {
    return refuse(RiskErrc::increases_risk, "the whole position is already pending exit (" +
                                                std::to_string(position.pending_exit_qty) + ")");
  }
  if (qty > allowed) {
    return refuse(RiskErrc::increases_risk, "quantity " + std::to_string(qty) +
                                                " exceeds what may be squared off (" +
                                                std::to_string(allowed) + ")");
  }
  if (!instrument.is_lot_multiple(qty)) {
    return refuse(RiskErrc::not_lot_multiple, "quantity " + std::to_string(qty) +
                                                  " is not a multiple of the lot size " +
                                                  std::to_string(instrument.lot_size));
  }
  const Qty max_slice = instrument.max_order_qty();
  if (max_slice <= 0) {
    return refuse(RiskErrc::invalid_quantity, "freeze quantity is below one lot");
  }

  const Side side = position.net_qty > 0 ? Side::sell : Side::buy;
  Paise price = 0;
  if (request.order_type == OrderType::limit) {
    if (!request.price || *request.price <= 0) {
      return refuse(RiskErrc::invalid_price, "a limit square-off needs a positive price");
    }
    price = *request.price;
    if (!instrument.on_tick(price)) {
      return refuse(RiskErrc::off_tick, "price " + format_rupees(price) +
                                            " is not a multiple of the tick " +
                                            format_rupees(instrument.tick_size));
    }
    if (!instrument.in_band(price)) {
      return refuse(RiskErrc::outside_band, "price " + format_rupees(price) +
                                                " is outside the band " +
                                                format_rupees(instrument.lower_band) + " - " +
                                                format_rupees(instrument.upper_band));
    }
  } else {
    const auto p = protected_price(instrument, side, ltp, settings.market_protection_bps);
    if (!p) {
      return refuse(RiskErrc::no_reference_price,
                    "no last traded price, previous close or band to protect a market order");
    }
    price = *p;
  }

  SquareOffPlan plan;
  for (Qty left = qty; left > 0;) {
    const Qty q = std::min(left, max_slice);
    plan.slices.push_back(SquareOffSlice{side, q, OrderType::limit, price});
    left -= q;
  }
  return plan;
}

SquareOffPlan plan_square_off(const Book& book, const PositionKey& key,
                              const SquareOffRequest& request, const RiskSettings& settings) {
  const Instrument* instrument = book.instrument(key.instrument_id);
  if (instrument == nullptr) {
    if (book.position(key) == nullptr) return refuse(RiskErrc::no_position, "no open position");
    return refuse(RiskErrc::unknown_instrument, "no facts for " + key.instrument_id);
  }
  return plan_square_off(position_facts(book, key), *instrument, book.ltp(key.instrument_id),
                         request, settings);
}

bool is_risk_adding(const Order& order, Qty net_qty) {
  const Qty leaves = order.leaves_qty();
  if (leaves <= 0) return false;
  if (net_qty == 0) return true;
  const bool reduces = (net_qty > 0) == (order.side == Side::sell);
  return !reduces || leaves > abs_qty(net_qty);
}

std::vector<const Order*> risk_adding_orders(const Book& book, std::string_view ucc) {
  std::vector<const Order*> out;
  // Exit leaves already counted per position, in arrival order of the orders.
  std::map<std::tuple<std::string_view, Product>, Qty> exiting;
  for (const Order* o : book.orders_of(ucc)) {
    if (o->leaves_qty() <= 0) continue;
    const Position* p = book.position(PositionKey{o->ucc, o->instrument_id, o->product});
    const Qty net = p != nullptr ? p->net_qty() : 0;
    if (is_risk_adding(*o, net)) {
      out.push_back(o);
      continue;
    }
    Qty& counted = exiting[{o->instrument_id, o->product}];
    if (counted + o->leaves_qty() > abs_qty(net)) {
      out.push_back(o);  // together with earlier exits it would flip the position
    } else {
      counted += o->leaves_qty();
    }
  }
  return out;
}

}  // namespace irra::domain
