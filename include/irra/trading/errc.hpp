// The engine's answers to order entry, as the contract's REST error codes (interfaces.md
// section 3). The HTTP layer maps them 1:1 to statuses (see http_status()). Pure functions.
#pragma once

#include <string_view>

#include "irra/domain/risk.hpp"

namespace irra::trading {

enum class Errc {
  ok,
  // 422: the risk gate refused (domain::RiskErrc, same spelling)
  no_position,
  increases_risk,
  not_lot_multiple,
  off_tick,
  outside_band,
  invalid_quantity,
  invalid_price,
  no_reference_price,
  unknown_instrument,
  // 422: an Idempotency-Key already used today for a different request
  idempotency_key_reused,
  // 404: no such order, or not the caller's (never 403: do not reveal that it exists)
  not_found,
  // 409: the order is final (FILLED, CANCELLED, REJECTED, EXPIRED)
  not_cancellable,
  // 503: the database writer refused the work or failed; nothing was sent
  unavailable,
};

// The contract spelling: "increases_risk", "not_found", "unavailable", ...
std::string_view to_string(Errc e);

// 202 for ok, 422 for the risk codes, 404, 409, 503.
int http_status(Errc e);

Errc from_risk(domain::RiskErrc e);

}  // namespace irra::trading
