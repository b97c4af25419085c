#include "irra/domain/order.hpp"

#include <string>

#include "wide_int.hpp"

namespace irra::domain {
namespace {

Paise rounded_avg(Paise value, Qty qty) {
  if (qty <= 0) return 0;
  const detail::int128 v = value;
  detail::int128 q = v / qty;
  if ((v % qty) * 2 >= qty) ++q;  // prices are positive: round half up
  return static_cast<Paise>(q);
}

std::string describe(OrderStatus from, OrderStatus to) {
  std::string s(to_string(from));
  s += " -> ";
  s += to_string(to);
  return s;
}

}  // namespace

std::string_view to_string(OrderErrc e) {
  switch (e) {
    case OrderErrc::ok:
      return "ok";
    case OrderErrc::final_state:
      return "final_state";
    case OrderErrc::illegal_transition:
      return "illegal_transition";
    case OrderErrc::invalid_fill:
      return "invalid_fill";
    case OrderErrc::overfill:
      return "overfill";
    case OrderErrc::cum_qty_mismatch:
      return "cum_qty_mismatch";
    case OrderErrc::invalid_quantity:
      return "invalid_quantity";
    case OrderErrc::invalid_order:
      return "invalid_order";
    case OrderErrc::duplicate_order:
      return "duplicate_order";
  }
  return "unknown";
}

bool transition_allowed(OrderStatus from, OrderStatus to) {
  using S = OrderStatus;
  switch (from) {
    case S::pending:
      return to == S::open || to == S::rejected || to == S::partially_filled || to == S::filled ||
             to == S::cancelled;
    case S::open:
    case S::partially_filled:
      return to == S::partially_filled || to == S::filled || to == S::cancelled || to == S::expired;
    case S::filled:
    case S::cancelled:
    case S::rejected:
    case S::expired:
      return false;
  }
  return false;
}

OrderResult Order::change_status(OrderStatus to, Timestamp at) {
  if (is_final()) {
    return OrderResult::refuse(OrderErrc::final_state,
                               "order is " + std::string(to_string(status)));
  }
  if (to == OrderStatus::partially_filled || to == OrderStatus::filled ||
      !transition_allowed(status, to)) {
    return OrderResult::refuse(OrderErrc::illegal_transition, describe(status, to));
  }
  status = to;
  updated_at = at;
  return OrderResult::success();
}

OrderResult Order::apply_fill(Qty last_qty, Paise last_px, Qty cum_qty, Timestamp at) {
  if (is_final()) {
    return OrderResult::refuse(OrderErrc::final_state,
                               "order is " + std::string(to_string(status)));
  }
  if (last_qty <= 0 || last_px <= 0) {
    return OrderResult::refuse(OrderErrc::invalid_fill, "fill quantity and price must be positive");
  }
  if (last_qty > qty - filled_qty) {
    return OrderResult::refuse(OrderErrc::overfill, "fill of " + std::to_string(last_qty) +
                                                        " exceeds leaves " +
                                                        std::to_string(qty - filled_qty));
  }
  if (cum_qty != filled_qty + last_qty) {
    return OrderResult::refuse(OrderErrc::cum_qty_mismatch,
                               "cum_qty " + std::to_string(cum_qty) + " but applied " +
                                   std::to_string(filled_qty) + " + fill " +
                                   std::to_string(last_qty));
  }
  const OrderStatus to = cum_qty == qty ? OrderStatus::filled : OrderStatus::partially_filled;
  if (!transition_allowed(status, to)) {
    return OrderResult::refuse(OrderErrc::illegal_transition, describe(status, to));
  }
  filled_qty = cum_qty;
  filled_value += last_qty * last_px;
  avg_fill_price = rounded_avg(filled_value, filled_qty);
  status = to;
  updated_at = at;
  return OrderResult::success();
}

OrderResult Order::amend(Qty new_qty, Paise new_price, Timestamp at) {
  if (is_final()) {
    return OrderResult::refuse(OrderErrc::final_state,
                               "order is " + std::string(to_string(status)));
  }
  if (new_qty <= 0 || new_qty < filled_qty || new_price < 0) {
    return OrderResult::refuse(
        OrderErrc::invalid_quantity,
        "amended qty " + std::to_string(new_qty) + " below filled " + std::to_string(filled_qty));
  }
  if (new_qty == filled_qty && !transition_allowed(status, OrderStatus::filled)) {
    return OrderResult::refuse(OrderErrc::illegal_transition,
                               describe(status, OrderStatus::filled));
  }
  qty = new_qty;
  price = new_price;
  if (qty == filled_qty) status = OrderStatus::filled;
  updated_at = at;
  return OrderResult::success();
}

}  // namespace irra::domain
