// The engine's read API: REST objects for the HTTP layer, pages for `irra ctl`, status.
#include "irra/trading/engine.hpp"
#include "irra/trading/json_views.hpp"

namespace irra::trading {

using nlohmann::json;

std::vector<json> Engine::positions(std::string_view ucc) const {
  std::vector<json> out;
  for (const auto* p : book_.positions_of(ucc)) out.push_back(position_json(book_, *p));
  return out;
}

std::vector<json> Engine::orders(std::string_view ucc) const {
  std::vector<json> out;
  for (const auto* o : book_.orders_of(ucc)) out.push_back(order_json(*o));
  return out;
}

std::vector<json> Engine::trades(std::string_view ucc) const {
  std::vector<json> out;
  for (const auto* t : book_.trades_of(ucc)) out.push_back(trade_json(*t));
  return out;
}

namespace {

json with_ucc(json j, const std::string& ucc) {
  j["ucc"] = ucc;
  return j;
}

// Walks `items` (a deque of the Book, or one client's pointers) from `cursor`.
template <class Seq, class Deref, class Make>
ListPage page_of(const Seq& items, std::size_t cursor, std::size_t limit, Deref deref, Make make) {
  ListPage page;
  std::size_t i = cursor;
  for (; i < items.size() && page.items.size() < limit; ++i) {
    const auto& item = deref(items[i]);
    if (auto j = make(item); !j.is_null()) page.items.push_back(std::move(j));
  }
  page.next_cursor = i;
  page.done = i >= items.size();
  return page;
}

}  // namespace

ListPage Engine::list(ListKind kind, std::string_view ucc, std::size_t cursor,
                      std::size_t limit) const {
  if (limit == 0) limit = 1;
  auto position = [this](const domain::Position& p) {
    return p.net_qty() == 0 ? json() : with_ucc(position_json(book_, p), p.key().ucc);
  };
  auto order = [](const domain::Order& o) { return with_ucc(order_json(o), o.ucc); };
  auto trade = [](const domain::Trade& t) { return with_ucc(trade_json(t), t.ucc); };
  auto ref = [](const auto& v) -> const auto& {
    return v;
  };
  auto ptr = [](const auto* v) -> const auto& {
    return *v;
  };
  switch (kind) {
    case ListKind::positions:
      return ucc.empty() ? page_of(book_.positions(), cursor, limit, ref, position)
                         : page_of(book_.positions_of(ucc), cursor, limit, ptr, position);
    case ListKind::orders:
      return ucc.empty() ? page_of(book_.orders(), cursor, limit, ref, order)
                         : page_of(book_.orders_of(ucc), cursor, limit, ptr, order);
    case ListKind::trades:
      return ucc.empty() ? page_of(book_.trades(), cursor, limit, ref, trade)
                         : page_of(book_.trades_of(ucc), cursor, limit, ptr, trade);
  }
  return {};
}

json Engine::status() const {
  json exchange = json::object();
  for (const auto& [name, s] : sessions_) {
    const auto st = session_status_.find(name);
    exchange[name] = json{{"state", st != session_status_.end() ? st->second : "unknown"},
                          {"next_in_seq", s->next_in_seq()},
                          {"next_out_seq", s->next_out_seq()}};
  }
  for (const auto& [name, state] : session_status_) {
    if (!exchange.contains(name)) exchange[name] = json{{"state", state}};
  }
  std::int64_t open_positions = 0;
  for (const auto& p : book_.positions()) open_positions += p.net_qty() != 0 ? 1 : 0;
  const auto s = stats();
  return json{
      {"mode", mode_},
      {"since", domain::format_iso8601(since_)},
      {"trading_date", book_.trading_date()},
      {"exchange", std::move(exchange)},
      {"counts",
       {{"clients", book_.clients().size()},
        {"instruments", book_.instruments().size()},
        {"open_positions", open_positions},
        {"orders", book_.orders().size()},
        {"trades", book_.trades().size()},
        {"reports_applied", s.reports_applied},
        {"reports_duplicate", s.reports_duplicate},
        {"reports_refused", s.reports_refused},
        {"orders_sent", s.orders_sent},
        {"cancels_sent", s.cancels_sent},
        {"send_queue", s.send_queue},
        {"write_batches_waiting", s.batches_waiting}}},
  };
}

void Engine::set_mode(std::string mode) {
  if (mode == mode_) return;
  mode_ = std::move(mode);
  since_ = now();
}

void Engine::set_mode(std::string mode, domain::Timestamp since) {
  mode_ = std::move(mode);
  since_ = since;
}

}  // namespace irra::trading
