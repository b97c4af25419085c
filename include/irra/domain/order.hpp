// An order as the REST order object shows it, with the state machine that guards it.
//
// Fields are public for reading and for restoring from the store; change a live order only
// through change_status / apply_fill / amend, which refuse impossible transitions and keep
// filled_qty consistent (never above qty, never decreasing). A plain value type; the Book
// that owns orders is used from one strand.
#pragma once

#include <optional>
#include <string>

#include "irra/domain/enums.hpp"
#include "irra/domain/money.hpp"
#include "irra/domain/timestamp.hpp"

namespace irra::domain {

enum class OrderErrc {
  ok,
  final_state,         // the order is FILLED, CANCELLED, REJECTED or EXPIRED
  illegal_transition,  // e.g. OPEN -> PENDING, PENDING -> EXPIRED
  invalid_fill,        // non-positive quantity or price
  overfill,            // the fill would take filled_qty above qty
  cum_qty_mismatch,    // the reported cumulative quantity disagrees with the fills applied
  invalid_quantity,    // an amendment below what is already filled, or non-positive
  invalid_order,       // a new order missing a field it needs
  duplicate_order,     // an order with that order_id or cl_ord_id already exists
};

std::string_view to_string(OrderErrc e);

// Outcome of a state change: ok, or why it was refused (the order is then unchanged).
struct OrderResult {
  OrderErrc code = OrderErrc::ok;
  std::string text;

  bool ok() const { return code == OrderErrc::ok; }
  explicit operator bool() const { return ok(); }
  static OrderResult success() { return {}; }
  static OrderResult refuse(OrderErrc c, std::string t) { return {c, std::move(t)}; }
};

// The allowed status changes:
//   PENDING          -> OPEN, REJECTED, PARTIALLY_FILLED, FILLED, CANCELLED
//   OPEN             -> PARTIALLY_FILLED, FILLED, CANCELLED, EXPIRED
//   PARTIALLY_FILLED -> PARTIALLY_FILLED, FILLED, CANCELLED, EXPIRED
//   final states     -> nothing
bool transition_allowed(OrderStatus from, OrderStatus to);

struct Order {
  // Main-site orders: the exchange's OrderID. Backup orders: the ClOrdID IRRA assigned.
  std::string order_id;
  std::string exchange_order_id;  // empty until the exchange acknowledges a backup order
  std::string cl_ord_id;
  std::string ucc;
  std::string instrument_id;
  Product product = Product::mis;
  Side side = Side::buy;
  Qty qty = 0;
  Qty filled_qty = 0;
  Paise avg_fill_price = 0;  // rounded to the nearest paisa; 0 until a fill
  Paise filled_value = 0;    // sum of fill qty * price, exact
  Paise price = 0;           // 0 for market orders
  OrderType order_type = OrderType::limit;
  OrderStatus status = OrderStatus::pending;
  OrderSource source = OrderSource::main;
  std::optional<Origin> origin;  // backup orders only
  Timestamp placed_at = 0;
  Timestamp updated_at = 0;
  std::string reason;  // the exchange's text on a reject, cancel or expiry

  Qty leaves_qty() const { return is_final() ? 0 : qty - filled_qty; }
  bool is_final() const { return domain::is_final(status); }

  // A change that is not a fill: OPEN, CANCELLED, REJECTED or EXPIRED (fills go through
  // apply_fill, so PARTIALLY_FILLED and FILLED are refused here).
  OrderResult change_status(OrderStatus to, Timestamp at);

  // Applies one fill of last_qty at last_px. cum_qty is the exchange's cumulative quantity
  // after this fill and must equal filled_qty + last_qty. The status becomes FILLED when
  // the whole qty is filled, else PARTIALLY_FILLED.
  OrderResult apply_fill(Qty last_qty, Paise last_px, Qty cum_qty, Timestamp at);

  // The exchange replaced the order's quantity or price (a main-site modification). The new
  // qty may not be below filled_qty; reaching it exactly fills the order.
  OrderResult amend(Qty new_qty, Paise new_price, Timestamp at);
};

}  // namespace irra::domain
