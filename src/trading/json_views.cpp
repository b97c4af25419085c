#include "irra/trading/json_views.hpp"

namespace irra::trading {

using nlohmann::json;

json rupees(domain::Paise paise) {
  // Whole rupees stay integers in JSON (2450 rather than 2450.0).
  if (paise % 100 == 0) return json(paise / 100);
  return json(static_cast<double>(paise) / 100.0);
}

json position_json(const domain::Book& book, const domain::Position& p) {
  const auto& key = p.key();
  const domain::Instrument* ins = book.instrument(key.instrument_id);
  std::optional<domain::Paise> ltp = book.ltp(key.instrument_id);
  if (!ltp && ins != nullptr && ins->prev_close > 0) ltp = ins->prev_close;
  json j = {
      {"instrument", key.instrument_id},
      {"exchange", ins ? json(ins->exchange) : json(nullptr)},
      {"segment", ins ? json(domain::to_string(ins->segment)) : json(nullptr)},
      {"symbol", ins ? json(ins->symbol) : json(nullptr)},
      {"product", domain::to_string(key.product)},
      {"net_qty", p.net_qty()},
      {"avg_price", rupees(p.avg_price())},
      {"ltp", ltp ? rupees(*ltp) : json(nullptr)},
      {"realized_pnl", rupees(p.realized_pnl())},
      {"unrealized_pnl", rupees(ltp ? p.unrealized_pnl(*ltp) : 0)},
      {"pending_exit_qty", book.pending_exit_qty(key)},
      {"squareoff_qty", book.squareoff_qty(key)},
      {"lot_size", ins ? json(ins->lot_size) : json(nullptr)},
      {"tick_size", ins ? rupees(ins->tick_size) : json(nullptr)},
      {"freeze_qty", ins ? json(ins->freeze_qty) : json(nullptr)},
      {"lower_band", ins ? rupees(ins->lower_band) : json(nullptr)},
      {"upper_band", ins ? rupees(ins->upper_band) : json(nullptr)},
  };
  return j;
}

json order_json(const domain::Order& o) {
  // A main-site order's order_id is the exchange's OrderID.
  const std::string& exchange_id =
      o.source == domain::OrderSource::main ? o.order_id : o.exchange_order_id;
  json j{
      {"order_id", o.order_id},
      {"exchange_order_id", exchange_id.empty() ? json(nullptr) : json(exchange_id)},
      {"instrument", o.instrument_id},
      {"product", domain::to_string(o.product)},
      {"side", domain::to_string(o.side)},
      {"qty", o.qty},
      {"filled_qty", o.filled_qty},
      {"price", rupees(o.price)},
      {"order_type", domain::to_string(o.order_type)},
      {"status", domain::to_string(o.status)},
      {"source", domain::to_string(o.source)},
      {"placed_at", domain::format_iso8601(o.placed_at)},
      {"updated_at", domain::format_iso8601(o.updated_at)},
      {"reason", o.reason},
  };
  // Who placed one of IRRA's own orders; main-site orders carry no origin.
  if (o.origin) j["placed_by"] = domain::to_string(*o.origin);
  return j;
}

json trade_json(const domain::Trade& t) {
  return json{
      {"trade_id", t.trade_id},
      {"order_id", t.order_id},
      {"instrument", t.instrument_id},
      {"side", domain::to_string(t.side)},
      {"qty", t.qty},
      {"price", rupees(t.price)},
      {"time", domain::format_iso8601(t.time)},
  };
}

}  // namespace irra::trading
