// Order entry: square-off, square-off-all and cancel. Nothing reaches the OrderSender before
// its journal rows have committed; an Idempotency-Key replay sends nothing.
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "irra/trading/engine.hpp"
#include "irra/trading/json_views.hpp"
#include "journal.hpp"

namespace irra::trading {

using detail::Batch;
using detail::JournalKind;
using detail::JournalRow;
using nlohmann::json;

namespace {

OrderAnswer refusal(Errc e, std::string message) {
  OrderAnswer a;
  a.error = e;
  a.body = json{{"error", to_string(e)}, {"message", message}};
  a.message = std::move(message);
  return a;
}

OrderAnswer replay_of(const std::string& stored) {
  OrderAnswer a;
  a.body = json::parse(stored, nullptr, false);
  a.replayed = true;
  if (a.body.is_object() && a.body.contains("orders") && a.body["orders"].is_array()) {
    for (const auto& o : a.body["orders"]) {
      if (o.contains("order_id") && o["order_id"].is_string()) {
        a.order_ids.push_back(o["order_id"].get<std::string>());
      }
    }
  }
  return a;
}

}  // namespace

std::string Engine::next_cl_ord_id() {
  return cl_ord_prefix_ + std::to_string(++cl_ord_counter_);
}

std::shared_ptr<Batch> Engine::new_batch() const {
  auto b = std::make_shared<Batch>();
  b->trading_date = book_.trading_date();
  return b;
}

bool Engine::accepting_orders(OrderAnswer& answer) const {
  if (stopped_) {
    answer = refusal(Errc::unavailable, "the server is stopping; nothing was sent");
    return false;
  }
  // !healthy(): batches fail, or the database has not answered a call for a while (a
  // frozen server); an order accepted now could not be made durable before it is sent.
  if (!stalled_.empty() || !writer_.healthy()) {
    answer = refusal(Errc::unavailable,
                     "the database is not accepting writes at the moment; nothing was sent");
    return false;
  }
  const unsigned high = options_.writer_high_water_percent;
  if (high > 0 && high < 100 && writer_.backlog() * 100 >= writer_.capacity() * high) {
    answer = refusal(Errc::unavailable,
                     "the database is behind on writes at the moment; nothing was sent");
    return false;
  }
  return true;
}

// An investor's keys are theirs alone (scope = UCC). Staff and bulk keys are scoped to who
// acted, how and for whom: "staff:NAME/UCC", "bulk:JOB/UCC", so a staff user named like a
// job never shares a scope with it. A scope longer than the column (a long staff name) is
// replaced by its SHA-256 rather than cut, which could merge two clients' scopes.
std::string Engine::idem_scope(const Actor& actor, const std::string& ucc) {
  if (actor.origin == domain::Origin::investor) return ucc;
  std::string scope = std::string(domain::to_string(actor.origin)) + ":" + actor.id + "/" + ucc;
  if (scope.size() <= 64) return scope;
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(scope.data()), scope.size(), md);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "h:";
  for (std::size_t i = 0; i < 31; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

namespace {
// What a square-off asked for, as stored with its Idempotency-Key.
std::string request_text(const SquareOff& what) {
  const auto& r = what.request;
  return "square-off " + what.instrument_id + " " + std::string(domain::to_string(what.product)) +
         " qty=" + (r.qty ? std::to_string(*r.qty) : std::string("all")) + " " +
         std::string(domain::to_string(r.order_type)) +
         " price=" + (r.price ? std::to_string(*r.price) : std::string("-"));
}

OrderAnswer key_reused() {
  return refusal(Errc::idempotency_key_reused,
                 "this Idempotency-Key was already used today for a different request; "
                 "nothing was sent");
}
}  // namespace

bool Engine::answer_from_idempotency(const IdemKey& key, OrderCompletion& done) {
  if (const auto it = idem_answers_.find(key); it != idem_answers_.end()) {
    const auto& stored = it->second;
    if (!stored.request.empty() && stored.request != key.request) {
      done(key_reused());
    } else {
      done(replay_of(stored.response));
    }
    return true;
  }
  if (const auto it = idem_waiting_.find(key); it != idem_waiting_.end()) {
    if (it->second.request != key.request) {
      done(key_reused());
    } else {
      it->second.waiting.push_back(std::move(done));
    }
    return true;
  }
  idem_waiting_.emplace(key, IdemWaiting{key.request, {}});
  return false;
}

std::string Engine::stored_idempotency(const IdemKey& key, const json& body) {
  return json{{"request", key.request}, {"answer", body}}.dump();
}

Engine::IdemAnswer Engine::parse_stored_idempotency(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_object() && j.size() == 2 && j.contains("request") && j["request"].is_string() &&
      j.contains("answer")) {
    return IdemAnswer{j["request"].get<std::string>(), j["answer"].dump()};
  }
  return IdemAnswer{{}, text};  // stored by an older build: the body alone
}

void Engine::finish(const std::optional<IdemKey>& idem, OrderAnswer answer, OrderCompletion& done) {
  std::vector<OrderCompletion> waiting;
  if (idem) {
    if (const auto it = idem_waiting_.find(*idem); it != idem_waiting_.end()) {
      waiting = std::move(it->second.waiting);
      idem_waiting_.erase(it);
    }
  }
  OrderAnswer copy = answer;
  copy.replayed = true;
  done(std::move(answer));
  for (auto& w : waiting) w(copy);
}

std::vector<std::string> Engine::place_slices(const Actor& actor, const domain::PositionKey& key,
                                              const domain::SquareOffPlan& plan,
                                              const std::string& idempotency_key, Batch& into) {
  std::vector<std::string> ids;
  const auto at = now();
  for (const auto& slice : plan.slices) {
    domain::Order o;
    o.cl_ord_id = next_cl_ord_id();
    o.order_id = o.cl_ord_id;
    o.ucc = key.ucc;
    o.instrument_id = key.instrument_id;
    o.product = key.product;
    o.side = slice.side;
    o.qty = slice.qty;
    o.price = slice.price;
    o.order_type = slice.order_type;
    o.status = domain::OrderStatus::pending;
    o.source = domain::OrderSource::backup;
    o.origin = actor.origin;
    o.placed_at = at;
    o.updated_at = at;
    JournalRow row;
    row.kind = JournalKind::order_new;
    auto& r = row.report;
    r.order_id = o.order_id;
    r.cl_ord_id = o.cl_ord_id;
    r.ucc = o.ucc;
    r.instrument_id = o.instrument_id;
    r.product = o.product;
    r.side = o.side;
    r.order_qty = o.qty;
    r.ord_type = o.order_type;
    r.price = o.price;
    r.ord_status = domain::OrderStatus::pending;
    r.transact_time = at;
    row.origin = std::string(domain::to_string(actor.origin));
    row.actor = actor.id;
    row.idempotency_key = idempotency_key;
    row.reason = actor.reason;
    row.received_at = at;
    const auto res = book_.add_pending_order(std::move(o));
    if (!res.ok()) {  // a bug: the ClOrdID is fresh and the plan valid
      spdlog::error("square-off slice for {} refused by the book: {}", key.ucc, res.text);
      continue;
    }
    ids.push_back(r.cl_ord_id);
    into.rows.push_back(std::move(row));
  }
  return ids;
}

void Engine::add_cancel(const Actor& actor, const domain::Order& order, Batch& into,
                        std::vector<SendItem>& sends) {
  const auto at = now();
  JournalRow row;
  row.kind = JournalKind::cancel_req;
  auto& r = row.report;
  r.cl_ord_id = next_cl_ord_id();
  r.orig_cl_ord_id = order.cl_ord_id;
  r.order_id = order.order_id;
  r.ucc = order.ucc;
  r.instrument_id = order.instrument_id;
  r.product = order.product;
  r.side = order.side;
  r.order_qty = order.qty;
  r.ord_type = order.order_type;
  r.price = order.price;
  r.ord_status = order.status;
  r.transact_time = at;
  row.origin = std::string(domain::to_string(actor.origin));
  row.actor = actor.id;
  row.reason = actor.reason;
  row.received_at = at;
  sends.push_back(SendItem{true, order.order_id, r.cl_ord_id});
  into.rows.push_back(std::move(row));
}

void Engine::roll_back(const std::vector<std::string>& placed) {
  const auto at = now();
  for (const auto& id : placed) {
    book_.reject_pending(id, "not sent: the database did not accept the order", at);
  }
}

void Engine::commit_order_entry(std::shared_ptr<Batch> b, std::vector<std::string> placed,
                                std::vector<SendItem> sends, std::optional<IdemKey> idem,
                                OrderAnswer answer, OrderCompletion done) {
  if (idem) {
    b->idempotency.push_back(detail::IdempotencyRow{idem->scope, idem->key,
                                                    stored_idempotency(*idem, answer.body),
                                                    domain::format_iso8601(now())});
  }
  b->on_done.push_back(
      [this, placed, sends = std::move(sends), idem, answer, done](bool committed) mutable {
        if (!committed) {
          roll_back(placed);
          finish(idem, refusal(Errc::unavailable, "the order could not be made durable; not sent"),
                 done);
          return;
        }
        stats_.orders_placed += placed.size();
        if (idem) idem_answers_[*idem] = IdemAnswer{idem->request, answer.body.dump()};
        if (!listeners_.empty() && !placed.empty()) {
          std::vector<Update> updates;
          std::vector<domain::PositionKey> keys;
          for (const auto& id : placed) {
            if (const auto* o = book_.order(id)) {
              updates.push_back(Update{Update::Kind::order, o->ucc, order_json(*o)});
              domain::PositionKey key{o->ucc, o->instrument_id, o->product};
              if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
            }
          }
          // The pending exit quantity moved: the positions follow their orders.
          for (const auto& key : keys) {
            if (const auto* p = book_.position(key)) {
              updates.push_back(Update{Update::Kind::position, key.ucc, position_json(book_, *p)});
            }
          }
          publish(updates);
        }
        for (auto& s : sends) send_queue_.push_back(std::move(s));
        pump_sends();
        finish(idem, std::move(answer), done);
      });
  if (events_) {  // the new orders (PENDING) go to irra.orders with their journal rows
    for (const auto& id : placed) {
      if (const auto* o = book_.order(id)) add_order_event(*b, *o);
    }
  }
  auto job = [b](soci::session& sql) { detail::write_batch(sql, *b); };
  auto on_done = [this, b, alive = std::weak_ptr<int>(alive_)](const store::WriteResult& r) {
    if (alive.expired()) return;
    on_committed(b, r);
  };
  if (writer_.submit(std::move(job), strand_, std::move(on_done))) {
    ++in_flight_;
    return;
  }
  ++stats_.batches_refused;
  roll_back(placed);
  OrderAnswer no = refusal(Errc::unavailable, "the database writer is full; nothing was sent");
  finish(idem, std::move(no), done);
}

void Engine::square_off(const Actor& actor, const std::string& ucc, const SquareOff& what,
                        const std::string& idempotency_key, OrderCompletion done) {
  std::optional<IdemKey> idem;
  if (!idempotency_key.empty()) {
    idem = IdemKey{idem_scope(actor, ucc), idempotency_key, request_text(what)};
    if (answer_from_idempotency(*idem, done)) return;
  }
  flush();  // the journal keeps the order in which the Book changed
  OrderAnswer answer;
  if (!accepting_orders(answer)) return finish(idem, std::move(answer), done);
  const domain::PositionKey key{ucc, what.instrument_id, what.product};
  const auto plan = domain::plan_square_off(book_, key, what.request, options_.risk);
  if (!plan.ok()) return finish(idem, refusal(from_risk(plan.error), plan.message), done);

  auto b = new_batch();
  auto placed = place_slices(actor, key, plan, idempotency_key, *b);
  std::vector<SendItem> sends;
  json orders = json::array();
  for (const auto& id : placed) {
    sends.push_back(SendItem{false, id, {}});
    orders.push_back(order_json(*book_.order(id)));
  }
  answer.body = json{{"orders", std::move(orders)}};
  answer.order_ids = placed;
  commit_order_entry(std::move(b), std::move(placed), std::move(sends), std::move(idem),
                     std::move(answer), std::move(done));
}

void Engine::square_off_all(const Actor& actor, const std::string& ucc,
                            const std::string& idempotency_key, OrderCompletion done) {
  std::optional<IdemKey> idem;
  if (!idempotency_key.empty()) {
    idem = IdemKey{idem_scope(actor, ucc), idempotency_key, "square-off-all"};
    if (answer_from_idempotency(*idem, done)) return;
  }
  flush();
  OrderAnswer answer;
  if (!accepting_orders(answer)) return finish(idem, std::move(answer), done);

  auto b = new_batch();
  std::vector<SendItem> sends;
  json cancelled = json::array();
  // First the pending orders that could re-open what is being closed.
  for (const domain::Order* o : domain::risk_adding_orders(book_, ucc)) {
    add_cancel(actor, *o, *b, sends);
    cancelled.push_back(order_json(*o));
  }
  std::vector<std::string> placed;
  json orders = json::array();
  json refused = json::array();
  for (const domain::Position* p : book_.positions_of(ucc)) {
    if (p->net_qty() == 0 || book_.squareoff_qty(p->key()) <= 0) continue;
    const domain::SquareOffRequest all{std::nullopt, domain::OrderType::market, std::nullopt};
    const auto plan = domain::plan_square_off(book_, p->key(), all, options_.risk);
    if (!plan.ok()) {
      refused.push_back(json{{"instrument", p->key().instrument_id},
                             {"product", domain::to_string(p->key().product)},
                             {"error", to_string(from_risk(plan.error))},
                             {"message", plan.message}});
      continue;
    }
    for (auto& id : place_slices(actor, p->key(), plan, idempotency_key, *b)) {
      sends.push_back(SendItem{false, id, {}});
      orders.push_back(order_json(*book_.order(id)));
      placed.push_back(std::move(id));
    }
  }
  answer.body = json{{"cancelled", std::move(cancelled)}, {"orders", std::move(orders)}};
  if (!refused.empty()) answer.body["refused"] = std::move(refused);
  answer.order_ids = placed;
  commit_order_entry(std::move(b), std::move(placed), std::move(sends), std::move(idem),
                     std::move(answer), std::move(done));
}

void Engine::cancel_order(const Actor& actor, const std::string& ucc, const std::string& order_id,
                          OrderCompletion done) {
  const std::optional<IdemKey> none;
  const domain::Order* o = book_.order(order_id);
  if (o == nullptr || o->ucc != ucc) {
    return finish(none, refusal(Errc::not_found, "no such order"), done);
  }
  if (o->is_final()) {
    return finish(
        none,
        refusal(Errc::not_cancellable, "the order is " + std::string(domain::to_string(o->status))),
        done);
  }
  flush();
  OrderAnswer answer;
  if (!accepting_orders(answer)) return finish(none, std::move(answer), done);
  auto b = new_batch();
  std::vector<SendItem> sends;
  add_cancel(actor, *o, *b, sends);
  answer.body = json{{"order", order_json(*o)}};
  commit_order_entry(std::move(b), {}, std::move(sends), none, std::move(answer), std::move(done));
}

// ---------------------------------------------------------------- pacing the sends

void Engine::set_order_sender(OrderSender* sender) {
  sender_ = sender;
  pump_sends();
}

void Engine::on_order_session_ready() {
  pump_sends();
}

// The exchange's order-rate limit is "at most N messages in any one second": a sliding
// window over the send times of the last N orders and cancels (a token bucket would let
// 2N through in a second that straddles a full bucket).
bool Engine::take_token(std::chrono::steady_clock::duration& wait) {
  const std::size_t limit = options_.order_rate_limit;
  if (limit == 0) return true;
  const auto t = std::chrono::steady_clock::now();
  while (!sent_times_.empty() && t - sent_times_.front() >= std::chrono::seconds(1)) {
    sent_times_.pop_front();
  }
  if (sent_times_.size() < limit) {
    sent_times_.push_back(t);
    return true;
  }
  wait = sent_times_.front() + std::chrono::seconds(1) - t;
  return false;
}

void Engine::pump_sends() {
  if (send_timer_armed_) return;  // the timer will pump
  while (!send_queue_.empty()) {
    const SendItem& item = send_queue_.front();
    const domain::Order* o = book_.order(item.order_id);
    // Nothing to send any more: the order is gone final (or was never sent and rejected).
    if (o == nullptr || (item.cancel ? o->is_final() : o->status != domain::OrderStatus::pending)) {
      send_queue_.pop_front();
      continue;
    }
    std::chrono::steady_clock::duration wait{};
    if (sender_ == nullptr || !sender_->ready()) {
      wait = options_.retry_delay;
    } else if (take_token(wait)) {
      if (item.cancel) {
        sender_->send_cancel(*o, item.cancel_cl_ord_id);
        ++stats_.cancels_sent;
      } else {
        sender_->send_new_order(*o);
        ++stats_.orders_sent;
      }
      send_queue_.pop_front();
      continue;
    }
    if (stopped_) return;
    send_timer_armed_ = true;
    send_timer_.expires_after(wait);
    send_timer_.async_wait(
        [this, alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec) {
          if (alive.expired()) return;
          send_timer_armed_ = false;
          if (!ec) pump_sends();
        });
    return;
  }
}

}  // namespace irra::trading
