// Order and trade events for the outbox (Engine::enable_events): IRRA's own orders only.
#include "irra/notify/outbox.hpp"
#include "irra/trading/engine.hpp"
#include "irra/trading/json_views.hpp"
#include "journal.hpp"

namespace irra::trading {

void Engine::enable_events(std::function<void()> committed) {
  events_ = true;
  events_committed_ = std::move(committed);
}

void Engine::capture_events(const domain::ApplyOutcome& outcome) {
  auto& b = batch();
  add_order_event(b, outcome.order);
  if (outcome.trade) add_trade_event(b, *outcome.trade);
}

void Engine::add_order_event(detail::Batch& into, const domain::Order& order) {
  auto message = order_json(order);
  message["ucc"] = order.ucc;
  message["type"] = "order";
  into.events.push_back(notify::make_event(notify::queue_orders, std::move(message)));
}

void Engine::add_trade_event(detail::Batch& into, const domain::Trade& trade) {
  auto message = trade_json(trade);
  message["ucc"] = trade.ucc;
  message["type"] = "trade";
  into.events.push_back(notify::make_event(notify::queue_trades, std::move(message)));
}

}  // namespace irra::trading
