// Where the engine hands orders once their journal rows are durable: the FIX order-entry
// session implements it. The engine paces calls with the order-rate limit.
//
// Thread rule: called only on the engine's strand; implementations must not call back into
// the engine synchronously from these methods (post instead).
#pragma once

#include <string_view>

#include "irra/domain/order.hpp"

namespace irra::trading {

class OrderSender {
 public:
  virtual ~OrderSender() = default;

  // False while the order-entry session is not logged on: the engine keeps its queue and
  // tries again when told (Engine::on_order_session_ready) or after a short delay.
  virtual bool ready() const { return true; }

  // A NewOrderSingle for a backup order (status PENDING, cl_ord_id set).
  virtual void send_new_order(const domain::Order& order) = 0;

  // An OrderCancelRequest for `order` (a backup or main-site order), with its own ClOrdID.
  virtual void send_cancel(const domain::Order& order, std::string_view cancel_cl_ord_id) = 0;
};

}  // namespace irra::trading
