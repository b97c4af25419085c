// The risk gate: turns an investor's (or staff's, or the bulk job's) square-off request into
// exchange-ready order slices, or refuses it with a precise code. It never lets an order
// increase risk: quantity at most what is open minus what is already pending to exit, on
// the side opposite to the position, whole lots, each slice at most the freeze quantity,
// price on the tick grid and inside the band. Pure functions; the Book overloads read the
// Book and so run on the strand that owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "irra/domain/book.hpp"
#include "irra/domain/instrument.hpp"
#include "irra/domain/order.hpp"

namespace irra::domain {

// The codes are the contract's error strings (REST 422 bodies).
enum class RiskErrc {
  ok,
  no_position,         // nothing open in that instrument and product
  increases_risk,      // more than squareoff_qty (or nothing left to square off)
  not_lot_multiple,    // F&O/CD/COM quantity not a whole number of lots
  off_tick,            // limit price not on the tick grid
  outside_band,        // limit price outside the day's band
  invalid_quantity,    // qty <= 0, or the instrument cannot carry one lot per order
  invalid_price,       // a limit order without a positive price
  no_reference_price,  // a market square-off with neither LTP nor previous close
  unknown_instrument,  // the Book has no facts for the instrument
};

std::string_view to_string(RiskErrc e);

struct RiskSettings {
  // A "market" square-off is sent as a limit this far through the last price (100 = 1%).
  std::int64_t market_protection_bps = 100;
};

struct SquareOffRequest {
  std::optional<Qty> qty;  // missing: everything that may be squared off
  OrderType order_type = OrderType::market;
  std::optional<Paise> price;  // limit orders only
};

// What the gate needs to know about the position.
struct PositionFacts {
  Qty net_qty = 0;
  Qty pending_exit_qty = 0;
  Qty squareoff_qty() const;
};

PositionFacts position_facts(const Book& book, const PositionKey& key);

struct SquareOffSlice {
  Side side = Side::sell;
  Qty qty = 0;
  OrderType order_type = OrderType::limit;  // always limit: market is protected
  Paise price = 0;
};

struct SquareOffPlan {
  RiskErrc error = RiskErrc::ok;
  std::string message;  // human text for a refusal
  std::vector<SquareOffSlice> slices;

  bool ok() const { return error == RiskErrc::ok; }
  Qty total_qty() const;
};

// ltp: the last traded price if known (else the instrument's prev_close is used).
SquareOffPlan plan_square_off(const PositionFacts& position, const Instrument& instrument,
                              std::optional<Paise> ltp, const SquareOffRequest& request,
                              const RiskSettings& settings);

// The same, with the facts, instrument and last price taken from the Book.
SquareOffPlan plan_square_off(const Book& book, const PositionKey& key,
                              const SquareOffRequest& request, const RiskSettings& settings);

// The limit price a market square-off is sent at: the reference price moved by the
// protection margin against us, rounded outward to the tick grid (sell down, buy up) and
// clamped into the band. nullopt with no usable reference price or band.
std::optional<Paise> protected_price(const Instrument& instrument, Side side,
                                     std::optional<Paise> ltp, std::int64_t protection_bps);

// True when the order, if it filled, would add to the position, open one, or flip it.
bool is_risk_adding(const Order& order, Qty net_qty);
inline bool is_risk_adding(const Order& order, const Position& position) {
  return is_risk_adding(order, position.net_qty());
}

// For square-off-all: the client's live orders that could add to a position if they filled.
// Beyond is_risk_adding one at a time, exit orders are counted together in arrival order:
// once their leaves exceed the open quantity, the later ones would flip it and are listed.
std::vector<const Order*> risk_adding_orders(const Book& book, std::string_view ucc);

}  // namespace irra::domain
