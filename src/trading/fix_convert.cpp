#include "fix_convert.hpp"

#include <chrono>

namespace irra::trading {
namespace {

domain::ExecType exec_type_of(char c) {
  switch (c) {
    case '0':
      return domain::ExecType::new_;
    case 'F':
      return domain::ExecType::trade;
    case '4':
      return domain::ExecType::cancelled;
    case '8':
      return domain::ExecType::rejected;
    case 'C':
      return domain::ExecType::expired;
    default:
      return domain::ExecType::other;
  }
}

// Pending-cancel (6), replaced (5), pending-replace (E) and the like leave the order live:
// open, or partially filled once something has filled.
std::optional<domain::OrderStatus> ord_status_of(char c, std::int64_t cum_qty) {
  using S = domain::OrderStatus;
  switch (c) {
    case '0':
      return S::open;
    case '1':
      return S::partially_filled;
    case '2':
      return S::filled;
    case '4':
      return S::cancelled;
    case '8':
      return S::rejected;
    case 'C':
      return S::expired;
    case 'A':
      return S::pending;
    case '5':
    case '6':
    case 'E':
    case '9':  // suspended
    case '3':  // done for day
      return cum_qty > 0 ? S::partially_filled : S::open;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<domain::ExecReport> to_domain(const fix::execution_report& m, std::string& why) {
  domain::ExecReport r;
  if (m.side == '1') {
    r.side = domain::Side::buy;
  } else if (m.side == '2') {
    r.side = domain::Side::sell;
  } else {
    why = std::string("unknown Side (54) '") + m.side + "'";
    return std::nullopt;
  }
  const auto product = domain::parse_product(m.product);
  if (!product) {
    why = "unknown Product (5001) '" + std::string(m.product) + "'";
    return std::nullopt;
  }
  const auto status = ord_status_of(m.ord_status, m.cum_qty);
  if (!status) {
    why = std::string("unknown OrdStatus (39) '") + m.ord_status + "'";
    return std::nullopt;
  }
  r.product = *product;
  r.ord_status = *status;
  r.exec_type = exec_type_of(m.exec_type);
  r.exec_id = m.exec_id;
  r.order_id = m.order_id;
  r.cl_ord_id = m.cl_ord_id;
  r.orig_cl_ord_id = m.orig_cl_ord_id;
  r.ucc = m.account;
  r.instrument_id.reserve(m.security_exchange.size() + 1 + m.symbol.size());
  r.instrument_id.append(m.security_exchange).append(":").append(m.symbol);
  r.order_qty = m.order_qty;
  // OrdType absent: a price means a limit order.
  r.ord_type = m.ord_type == '1'   ? domain::OrderType::market
               : m.ord_type == '2' ? domain::OrderType::limit
               : m.price           ? domain::OrderType::limit
                                   : domain::OrderType::market;
  r.price = m.price.value_or(0);
  r.last_qty = m.last_qty.value_or(0);
  r.last_px = m.last_px.value_or(0);
  r.cum_qty = m.cum_qty;
  r.leaves_qty = m.leaves_qty;
  r.avg_px = m.avg_px;
  r.transact_time =
      std::chrono::duration_cast<std::chrono::microseconds>(m.transact_time.time_since_epoch())
          .count();
  r.text = m.text;
  if (m.ord_rej_reason) r.rej_reason = static_cast<int>(*m.ord_rej_reason);
  return r;
}

}  // namespace irra::trading
