// The requests and answers of order entry (square-off, square-off-all, cancel).
// Plain value types.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "irra/domain/enums.hpp"
#include "irra/domain/risk.hpp"
#include "irra/trading/errc.hpp"

namespace irra::trading {

// Who acts: the investor (id = their UCC), staff (id = staff user, reason = their reason and
// evidence reference) or the bulk job (id = job id). Journaled with every order.
struct Actor {
  domain::Origin origin = domain::Origin::investor;
  std::string id;
  std::string reason;
};

// One position to close (REST POST /positions/square-off).
struct SquareOff {
  std::string instrument_id;  // "NSE:RELIANCE"
  domain::Product product = domain::Product::mis;
  domain::SquareOffRequest request;  // qty (missing: everything), order type, price
};

struct OrderAnswer {
  Errc error = Errc::ok;
  std::string message;  // human text for a refusal
  // ok: the REST body. square-off {"orders": [...]}, square-off-all {"cancelled": [...],
  // "orders": [...]}, cancel {"order": {...}}. A refusal: {"error", "message"}.
  nlohmann::json body;
  std::vector<std::string> order_ids;  // the backup orders placed (ClOrdIDs)
  bool replayed = false;               // answered from a stored Idempotency-Key

  bool ok() const { return error == Errc::ok; }
  int http_status() const { return trading::http_status(error); }
};

// Runs on the engine's strand, exactly once per request.
using OrderCompletion = std::function<void(OrderAnswer)>;

}  // namespace irra::trading
