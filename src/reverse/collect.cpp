// A day's records from IRRA's database: the journal replayed over an empty Book (only
// orders and trades are needed, so no start-of-day data), plus the ACTIVE periods.
#include <algorithm>
#include <map>

#include "irra/domain/book.hpp"
#include "irra/reverse/records.hpp"
#include "irra/trading/journal_replay.hpp"

namespace irra::reverse {
namespace {

// What the journal says about IRRA's own actions on an order, beyond the Book's state.
struct Actions {
  std::string origin;
  std::string placed_by;
  std::string placed_reason;
  domain::Timestamp cancel_requested_at = 0;
  std::string cancel_requested_by;
  bool placed = false;
  bool cancel_requested = false;
};

OrderRecord order_record(const std::string& date, const domain::Order& o, const Actions& a) {
  OrderRecord r;
  r.trading_date = date;
  r.order_id = o.order_id;
  r.source = std::string(domain::to_string(o.source));
  // A main-site order's order_id is the exchange's OrderID (as in the REST order object).
  r.exchange_order_id = o.source == domain::OrderSource::main ? o.order_id : o.exchange_order_id;
  r.cl_ord_id = o.cl_ord_id;
  r.ucc = o.ucc;
  r.instrument_id = o.instrument_id;
  r.product = std::string(domain::to_string(o.product));
  r.side = std::string(domain::to_string(o.side));
  r.order_type = std::string(domain::to_string(o.order_type));
  r.qty = o.qty;
  r.price = o.price;
  r.filled_qty = o.filled_qty;
  r.avg_price = o.avg_fill_price;
  r.filled_value = o.filled_value;
  r.status = std::string(domain::to_string(o.status));
  r.reason = o.reason;
  r.origin = o.origin ? std::string(domain::to_string(*o.origin)) : a.origin;
  r.placed_by = a.placed_by;
  r.placed_reason = a.placed_reason;
  r.cancel_requested_at = a.cancel_requested_at;
  r.cancel_requested_by = a.cancel_requested_by;
  r.placed_at = o.placed_at;
  r.updated_at = o.updated_at;
  return r;
}

TradeRecord trade_record(const std::string& date, const domain::Trade& t, const domain::Order* o) {
  TradeRecord r;
  r.trading_date = date;
  r.trade_id = t.trade_id;
  r.order_id = t.order_id;
  if (o != nullptr) {
    r.exchange_order_id =
        o->source == domain::OrderSource::main ? o->order_id : o->exchange_order_id;
    r.source = std::string(domain::to_string(o->source));
  }
  r.ucc = t.ucc;
  r.instrument_id = t.instrument_id;
  r.product = std::string(domain::to_string(t.product));
  r.side = std::string(domain::to_string(t.side));
  r.qty = t.qty;
  r.price = t.price;
  r.value = t.qty * t.price;  // exact: both are bounded by max_qty and max_price
  r.traded_at = t.time;
  return r;
}

}  // namespace

DayRecords collect_day(soci::session& irra_db, const std::string& trading_date) {
  DayRecords day;
  day.trading_date = trading_date;
  day.active = active_periods(read_mode_transitions(irra_db));

  domain::Book book(trading_date);
  std::map<std::string, Actions, std::less<>> actions;  // by the Book's order_id
  day.replay = trading::replay_journal(irra_db, book, [&](const trading::OwnJournalRow& row) {
    using Kind = trading::OwnJournalRow::Kind;
    if (row.kind == Kind::order_new && row.registered) {
      auto& a = actions[row.order_id];
      a.placed = true;
      a.origin = row.origin;
      a.placed_by = row.actor;
      a.placed_reason = row.reason;
    } else if (row.kind == Kind::cancel_req) {
      auto& a = actions[row.order_id];
      a.cancel_requested = true;
      a.cancel_requested_at = row.at;
      a.cancel_requested_by = row.actor;
    }
  });

  static const Actions none;
  for (const domain::Order& o : book.orders()) {
    const auto it = actions.find(o.order_id);
    const bool backup = o.source == domain::OrderSource::backup;
    if (!backup && (it == actions.end() || !it->second.cancel_requested)) continue;
    day.orders.push_back(order_record(trading_date, o, it == actions.end() ? none : it->second));
  }
  for (const domain::Trade& t : book.trades()) {
    const domain::Order* o = book.order(t.order_id);
    const bool backup = o != nullptr && o->source == domain::OrderSource::backup;
    const bool while_active =
        std::any_of(day.active.begin(), day.active.end(),
                    [&](const ActivePeriod& p) { return p.contains(t.time); });
    if (!backup && !while_active) continue;
    day.trades.push_back(trade_record(trading_date, t, o));
  }
  return day;
}

}  // namespace irra::reverse
