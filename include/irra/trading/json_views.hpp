// The contract's REST objects (interfaces.md section 3) built from the Book: positions,
// orders and trades. Prices are JSON numbers in rupees with at most two decimals (see
// rupees()), quantities integers, times ISO-8601 UTC. Pure functions; the ones reading the
// Book run on the strand that owns it.
#pragma once

#include <nlohmann/json.hpp>

#include "irra/domain/book.hpp"

namespace irra::trading {

// Paise as a JSON number of rupees: 245005 -> 2450.05. The double nearest to paise/100
// prints (shortest round-trip form) with at most two decimals for |paise| < 2^53 / 100;
// tests check the boundary.
nlohmann::json rupees(domain::Paise paise);

// {"instrument", "exchange", "segment", "symbol", "product", "net_qty", "avg_price", "ltp",
//  "realized_pnl", "unrealized_pnl", "pending_exit_qty", "squareoff_qty", "lot_size",
//  "tick_size", "freeze_qty", "lower_band", "upper_band"}. ltp is the last traded price,
// else the previous close (null when neither is known; unrealized_pnl is then 0).
nlohmann::json position_json(const domain::Book& book, const domain::Position& p);

// {"order_id", "exchange_order_id", "instrument", "product", "side", "qty", "filled_qty",
//  "price", "order_type", "status", "source", "placed_at", "updated_at", "reason"}.
// exchange_order_id is null until the exchange has given one.
nlohmann::json order_json(const domain::Order& o);

// {"trade_id", "order_id", "instrument", "side", "qty", "price", "time"}.
nlohmann::json trade_json(const domain::Trade& t);

}  // namespace irra::trading
