#include "irra/domain/book.hpp"

#include <functional>
#include <utility>

namespace irra::domain {
namespace {

constexpr bool within(std::int64_t v, std::int64_t max) {
  return v >= 0 && v <= max;
}

ApplyOutcome refused(std::string reason) {
  ApplyOutcome out;
  out.status = ApplyStatus::refused;
  out.reason = std::move(reason);
  return out;
}

// Moves an order to `target` for a report that is not a fill; reaching the status it is
// already in (a restatement) changes nothing and is accepted for live orders only.
OrderResult move_to(Order& o, OrderStatus target, Timestamp at) {
  if (o.status == target && !o.is_final()) {
    o.updated_at = at;
    return OrderResult::success();
  }
  return o.change_status(target, at);
}

void set_reason(Order& o, const ExecReport& r) {
  if (o.status != OrderStatus::cancelled && o.status != OrderStatus::rejected &&
      o.status != OrderStatus::expired) {
    return;
  }
  o.reason = r.text;
  if (o.reason.empty() && r.rej_reason) {
    o.reason = "OrdRejReason " + std::to_string(*r.rej_reason);
  }
}

// The status a report describes, for an order seen for the first time.
OrderStatus initial_status(const ExecReport& r) {
  switch (r.exec_type) {
    case ExecType::new_:
      return OrderStatus::open;
    case ExecType::cancelled:
      return OrderStatus::cancelled;
    case ExecType::rejected:
      return OrderStatus::rejected;
    case ExecType::expired:
      return OrderStatus::expired;
    case ExecType::trade:
    case ExecType::other:
      break;
  }
  return r.ord_status;
}

// Applies a report's effect to a working copy of its order; the Book commits the copy only
// when this succeeds, so a refused report leaves the mirror untouched.
OrderResult apply_to_order(Order& o, const ExecReport& r) {
  const Timestamp at = r.transact_time != 0 ? r.transact_time : o.updated_at;
  if (r.exec_type != ExecType::trade && r.cum_qty != o.filled_qty) {
    return OrderResult::refuse(
        OrderErrc::cum_qty_mismatch,
        "cum_qty " + std::to_string(r.cum_qty) + " but applied " + std::to_string(o.filled_qty));
  }
  switch (r.exec_type) {
    case ExecType::new_:
      return move_to(o, OrderStatus::open, at);
    case ExecType::trade:
      return o.apply_fill(r.last_qty, r.last_px, r.cum_qty, at);
    case ExecType::cancelled:
    case ExecType::rejected:
    case ExecType::expired: {
      const OrderStatus target = r.exec_type == ExecType::cancelled  ? OrderStatus::cancelled
                                 : r.exec_type == ExecType::rejected ? OrderStatus::rejected
                                                                     : OrderStatus::expired;
      OrderResult res = move_to(o, target, at);
      if (res.ok()) set_reason(o, r);
      return res;
    }
    case ExecType::other: {
      // Replaced, restated, pending-cancel and the like: take a changed quantity or price,
      // and a status only when it moves forward to OPEN or to a final state.
      if (o.is_final()) {
        return OrderResult::refuse(OrderErrc::final_state,
                                   "order is " + std::string(to_string(o.status)));
      }
      if (r.order_qty > 0 && (r.order_qty != o.qty || r.price != o.price)) {
        if (OrderResult res = o.amend(r.order_qty, r.price, at); !res) return res;
      }
      const OrderStatus s = r.ord_status;
      if (s == OrderStatus::open && o.status == OrderStatus::pending) return move_to(o, s, at);
      if (s == OrderStatus::cancelled || s == OrderStatus::rejected || s == OrderStatus::expired) {
        return move_to(o, s, at);
      }
      if (s == OrderStatus::filled && o.status != OrderStatus::filled) {
        return OrderResult::refuse(OrderErrc::cum_qty_mismatch,
                                   "FILLED reported with cum_qty below qty");
      }
      o.updated_at = at;
      return OrderResult::success();
    }
  }
  return OrderResult::refuse(OrderErrc::illegal_transition, "unknown exec type");
}

}  // namespace

std::size_t Book::KeyViewHash::operator()(const KeyView& k) const noexcept {
  const std::hash<std::string_view> h;
  std::size_t seed = h(k.ucc);
  seed ^= h(k.instrument_id) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
  seed ^= static_cast<std::size_t>(k.product) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
  return seed;
}

Book::Book(std::string trading_date) : trading_date_(std::move(trading_date)) {}

bool Book::add_instrument(Instrument instrument) {
  if (instrument.instrument_id.empty() || find(instrument_index_, instrument.instrument_id)) {
    return false;
  }
  instrument_index_.emplace(instrument.instrument_id, instruments_.size());
  instruments_.push_back(std::move(instrument));
  return true;
}

bool Book::add_client(Client client) {
  if (client.ucc.empty() || find(client_index_, client.ucc)) return false;
  client_index_.emplace(client.ucc, clients_.size());
  clients_.push_back(std::move(client));
  return true;
}

bool Book::add_carried_forward(PositionKey key, Qty net_qty, Paise avg_price) {
  if (key.ucc.empty() || key.instrument_id.empty() || position(key) != nullptr ||
      net_qty < -max_qty || net_qty > max_qty || !within(avg_price, max_price)) {
    return false;
  }
  insert_position(Position::carried_forward(std::move(key), net_qty, avg_price));
  return true;
}

void Book::start_trading_date(std::string trading_date) {
  if (trading_date == trading_date_) return;
  trading_date_ = std::move(trading_date);
  seen_exec_ids_.clear();
}

void Book::reserve_reports(std::size_t reports) {
  seen_exec_ids_.reserve(seen_exec_ids_.size() + reports);
  // About one new order for every two reports in a day's flow (a fill or two per order).
  order_index_.reserve(order_index_.size() + reports / 2);
}

bool Book::has_seen(std::string_view exec_id) const {
  return seen_exec_ids_.find(exec_id) != seen_exec_ids_.end();
}

std::optional<std::size_t> Book::find(const Index& index, std::string_view key) const {
  if (const auto it = index.find(key); it != index.end()) return it->second;
  return std::nullopt;
}

// Main-site orders are found by the exchange's OrderID; backup orders by the OrderID the
// exchange gave them on acknowledgement, else by the ClOrdID IRRA assigned (OrigClOrdID on
// the report of a cancel IRRA requested).
std::optional<std::size_t> Book::find_order_for(const ExecReport& r, std::string& why) const {
  if (!r.order_id.empty()) {
    if (auto i = find(exchange_index_, r.order_id)) return i;
    if (auto i = find(order_index_, r.order_id); i && orders_[*i].source == OrderSource::main) {
      return i;
    }
  }
  for (const std::string* id : {&r.cl_ord_id, &r.orig_cl_ord_id}) {
    if (id->empty()) continue;
    if (auto i = find(cl_ord_index_, *id)) {
      const Order& o = orders_[*i];
      if (!o.exchange_order_id.empty() && !r.order_id.empty() &&
          o.exchange_order_id != r.order_id) {
        why = "OrderID " + r.order_id + " differs from " + o.exchange_order_id + " of " + *id;
        return std::nullopt;
      }
      return i;
    }
  }
  return std::nullopt;
}

ApplyOutcome Book::apply(const ExecReport& r) {
  if (r.exec_id.empty()) return refused("missing ExecID");
  if (has_seen(r.exec_id)) {
    ApplyOutcome out;
    out.status = ApplyStatus::duplicate;
    return out;
  }
  if (r.ucc.empty() || r.instrument_id.empty()) return refused("missing account or instrument");
  if (!within(r.order_qty, max_qty) || !within(r.last_qty, max_qty) ||
      !within(r.cum_qty, max_qty) || !within(r.price, max_price) || !within(r.last_px, max_price)) {
    return refused("quantity or price out of range");
  }

  std::string why;
  const std::optional<std::size_t> found = find_order_for(r, why);
  if (!why.empty()) return refused(why);

  Order next;
  if (found) {
    next = orders_[*found];
    if (next.ucc != r.ucc || next.instrument_id != r.instrument_id || next.product != r.product ||
        next.side != r.side) {
      return refused("report does not match order " + next.order_id);
    }
    if (next.source == OrderSource::backup && next.exchange_order_id.empty()) {
      next.exchange_order_id = r.order_id;
    }
  } else {
    // First sight of an order placed elsewhere (the main site): mirror it from the report.
    if (r.order_qty <= 0) return refused("new order without OrderQty");
    if (r.order_id.empty()) {
      // An exchange reject before an OrderID was assigned: keep it visible in the order
      // book under a name derived from its ExecID; it never affects a position.
      if (r.exec_type != ExecType::rejected) return refused("unknown order without OrderID");
      next.order_id = "REJ-" + r.exec_id;
    } else {
      next.order_id = r.order_id;
      next.exchange_order_id = r.order_id;
    }
    if (find(order_index_, next.order_id)) return refused("order_id " + next.order_id + " in use");
    next.cl_ord_id = r.cl_ord_id;
    next.ucc = r.ucc;
    next.instrument_id = r.instrument_id;
    next.product = r.product;
    next.side = r.side;
    next.qty = r.order_qty;
    next.price = r.ord_type == OrderType::market ? 0 : r.price;
    next.order_type = r.ord_type;
    next.status = OrderStatus::pending;
    next.source = OrderSource::main;
    next.placed_at = r.transact_time;
    next.updated_at = r.transact_time;
  }

  if (!found && r.exec_type != ExecType::trade) {
    // The mirror may meet an order in any state (it was placed elsewhere, perhaps before a
    // restart of the feed): take the report's state as the starting point, without fills.
    if (r.cum_qty != 0) return refused("first report of " + next.order_id + " shows fills");
    next.status = initial_status(r);
    if (next.status == OrderStatus::partially_filled || next.status == OrderStatus::filled) {
      return refused("first report of " + next.order_id + " is filled without a trade");
    }
    set_reason(next, r);
  } else if (OrderResult res = apply_to_order(next, r); !res) {
    return refused(std::string(to_string(res.code)) + ": " + res.text);
  }

  // Commit: nothing below can fail.
  ApplyOutcome out;
  out.status = ApplyStatus::applied;
  std::size_t i = 0;
  if (found) {
    i = *found;
    const bool acked_now = orders_[i].exchange_order_id.empty() && !next.exchange_order_id.empty();
    orders_[i] = next;
    if (acked_now) exchange_index_.emplace(next.exchange_order_id, i);
  } else {
    i = orders_.size();
    orders_.push_back(next);
    index_order(i);
    out.order_created = true;
  }
  seen_exec_ids_.emplace(r.exec_id);

  if (r.exec_type == ExecType::trade) {
    Trade t{r.exec_id, next.order_id, r.ucc,     r.instrument_id, r.product,
            r.side,    r.last_qty,    r.last_px, r.transact_time};
    PositionKey key{r.ucc, r.instrument_id, r.product};
    position_for_update(key).apply_fill(r.side, r.last_qty, r.last_px);
    trades_by_ucc_[r.ucc].push_back(trades_.size());
    trades_.push_back(t);
    out.trade = std::move(t);
    out.position = std::move(key);
  }
  out.order = std::move(next);
  return out;
}

void Book::index_order(std::size_t i) {
  const Order& o = orders_[i];
  order_index_.emplace(o.order_id, i);
  if (o.source == OrderSource::backup) {
    cl_ord_index_.emplace(o.cl_ord_id, i);
    if (!o.exchange_order_id.empty()) exchange_index_.emplace(o.exchange_order_id, i);
  }
  orders_by_ucc_[o.ucc].push_back(i);
}

OrderResult Book::add_pending_order(Order o) {
  if (o.source != OrderSource::backup || o.status != OrderStatus::pending || o.filled_qty != 0 ||
      o.cl_ord_id.empty() || o.ucc.empty() || o.instrument_id.empty()) {
    return OrderResult::refuse(OrderErrc::invalid_order,
                               "a pending backup order needs cl_ord_id, ucc and instrument");
  }
  if (o.qty <= 0 || o.qty > max_qty || !within(o.price, max_price)) {
    return OrderResult::refuse(OrderErrc::invalid_quantity, "qty or price out of range");
  }
  if (find(cl_ord_index_, o.cl_ord_id) || find(order_index_, o.cl_ord_id) ||
      (!o.exchange_order_id.empty() && find(exchange_index_, o.exchange_order_id))) {
    return OrderResult::refuse(OrderErrc::duplicate_order, "cl_ord_id " + o.cl_ord_id);
  }
  o.order_id = o.cl_ord_id;
  o.filled_value = 0;
  o.avg_fill_price = 0;
  if (o.order_type == OrderType::market) o.price = 0;
  orders_.push_back(std::move(o));
  index_order(orders_.size() - 1);
  return OrderResult::success();
}

OrderResult Book::reject_pending(std::string_view order_id, std::string reason, Timestamp at) {
  const auto i = find(order_index_, order_id);
  if (!i || orders_[*i].source != OrderSource::backup) {
    return OrderResult::refuse(OrderErrc::invalid_order,
                               "no backup order " + std::string(order_id));
  }
  Order& o = orders_[*i];
  if (o.status != OrderStatus::pending) {
    return OrderResult::refuse(
        o.is_final() ? OrderErrc::final_state : OrderErrc::illegal_transition,
        "order is " + std::string(to_string(o.status)));
  }
  OrderResult res = o.change_status(OrderStatus::rejected, at);
  if (res) o.reason = std::move(reason);
  return res;
}

void Book::set_ltp(std::string_view instrument_id, Paise ltp) {
  if (auto it = ltp_.find(instrument_id); it != ltp_.end()) {
    it->second = ltp;
  } else {
    ltp_.emplace(std::string(instrument_id), ltp);
  }
}

std::optional<Paise> Book::ltp(std::string_view instrument_id) const {
  if (auto it = ltp_.find(instrument_id); it != ltp_.end()) return it->second;
  return std::nullopt;
}

const Instrument* Book::instrument(std::string_view instrument_id) const {
  const auto i = find(instrument_index_, instrument_id);
  return i ? &instruments_[*i] : nullptr;
}

const Client* Book::client(std::string_view ucc) const {
  const auto i = find(client_index_, ucc);
  return i ? &clients_[*i] : nullptr;
}

const Position* Book::position(const PositionKey& key) const {
  const auto it = position_index_.find(view_of(key));
  return it != position_index_.end() ? &positions_[it->second] : nullptr;
}

Position& Book::position_for_update(const PositionKey& key) {
  if (const auto it = position_index_.find(view_of(key)); it != position_index_.end()) {
    return positions_[it->second];
  }
  return insert_position(Position(key));
}

Position& Book::insert_position(Position p) {
  const std::size_t i = positions_.size();
  positions_.push_back(std::move(p));
  // The index views the key strings of the element just stored: deque elements never move
  // and a Position's key never changes.
  const PositionKey& key = positions_.back().key();
  position_index_.emplace(view_of(key), i);
  positions_by_ucc_[key.ucc].push_back(i);
  return positions_.back();
}

std::vector<const Position*> Book::positions_of(std::string_view ucc) const {
  std::vector<const Position*> out;
  if (const auto it = positions_by_ucc_.find(ucc); it != positions_by_ucc_.end()) {
    out.reserve(it->second.size());
    for (std::size_t i : it->second) out.push_back(&positions_[i]);
  }
  return out;
}

std::vector<const Order*> Book::orders_of(std::string_view ucc) const {
  std::vector<const Order*> out;
  if (const auto it = orders_by_ucc_.find(ucc); it != orders_by_ucc_.end()) {
    out.reserve(it->second.size());
    for (std::size_t i : it->second) out.push_back(&orders_[i]);
  }
  return out;
}

std::vector<const Trade*> Book::trades_of(std::string_view ucc) const {
  std::vector<const Trade*> out;
  if (const auto it = trades_by_ucc_.find(ucc); it != trades_by_ucc_.end()) {
    out.reserve(it->second.size());
    for (std::size_t i : it->second) out.push_back(&trades_[i]);
  }
  return out;
}

const Order* Book::order(std::string_view order_id) const {
  const auto i = find(order_index_, order_id);
  return i ? &orders_[*i] : nullptr;
}

const Order* Book::order_by_cl_ord_id(std::string_view cl_ord_id) const {
  const auto i = find(cl_ord_index_, cl_ord_id);
  return i ? &orders_[*i] : nullptr;
}

const Order* Book::order_by_exchange_id(std::string_view exchange_order_id) const {
  if (const auto i = find(exchange_index_, exchange_order_id)) return &orders_[*i];
  const auto i = find(order_index_, exchange_order_id);
  return i && orders_[*i].source == OrderSource::main ? &orders_[*i] : nullptr;
}

Qty Book::pending_exit_qty(const PositionKey& key) const {
  const Position* p = position(key);
  if (p == nullptr || p->net_qty() == 0) return 0;
  const Side exit_side = p->net_qty() > 0 ? Side::sell : Side::buy;
  Qty pending = 0;
  if (const auto it = orders_by_ucc_.find(key.ucc); it != orders_by_ucc_.end()) {
    for (std::size_t i : it->second) {
      const Order& o = orders_[i];
      if (!o.is_final() && o.side == exit_side && o.product == key.product &&
          o.instrument_id == key.instrument_id) {
        pending += o.leaves_qty();
      }
    }
  }
  return pending;
}

Qty Book::squareoff_qty(const PositionKey& key) const {
  const Position* p = position(key);
  if (p == nullptr) return 0;
  const Qty open = p->net_qty() < 0 ? -p->net_qty() : p->net_qty();
  const Qty left = open - pending_exit_qty(key);
  return left > 0 ? left : 0;
}

}  // namespace irra::domain
