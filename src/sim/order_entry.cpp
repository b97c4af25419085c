// Order entry: IRRA's NewOrderSingle and OrderCancelRequest, checked as the exchange
// would (docs/simulator.md lists every rejection with its OrdRejReason / CxlRejReason).
#include <algorithm>

#include "exchange.hpp"
#include "ids.hpp"
#include "irra/fix/numbers.hpp"
#include "irra/fix/tags.hpp"
#include "wire_format.hpp"

namespace irra::sim {
namespace tag = fix::tag;
using fix::session_reject_reason;

namespace {

// OrdRejReason (103) values, FIX 4.4 and (16, 18) later FIX versions.
constexpr int rej_unknown_symbol = 1;
constexpr int rej_duplicate_order = 6;
constexpr int rej_incorrect_quantity = 13;
constexpr int rej_unknown_account = 15;
constexpr int rej_price_band = 16;
constexpr int rej_price_increment = 18;
constexpr int rej_other = 99;
// CxlRejReason (102).
constexpr int cxl_too_late = 0;
constexpr int cxl_unknown_order = 1;
constexpr int cxl_duplicate_cl_ord_id = 6;
constexpr int cxl_other = 99;

// The first required field missing, or 0.
int missing_field(const fix::message& m, std::initializer_list<int> tags) {
  for (const int t : tags) {
    if (!m.has(t)) return t;
  }
  return 0;
}

std::string_view status_text(char s) {
  switch (s) {
    case '2':
      return "order already filled";
    case '4':
      return "order already cancelled";
    case '8':
      return "order was rejected";
    default:
      return "order is final";
  }
}

}  // namespace

void exchange::on_new_order(acceptor_session& s, const fix::message& m, std::uint64_t seq,
                            const session_time& now) {
  ++counters_.orders_received;
  const auto note = [&](std::string_view n) {
    if (journal_) journal_->received(s.kind(), seq, m, n);
  };
  if (const int t =
          missing_field(m, {tag::cl_ord_id, tag::account, tag::symbol, tag::security_exchange,
                            tag::product, tag::side, tag::order_qty, tag::ord_type})) {
    note("required field missing");
    return s.reject(seq, t, session_reject_reason::required_tag_missing, "required field missing",
                    now);
  }
  const std::string_view side = *m.get(tag::side);
  const std::string_view ord_type = *m.get(tag::ord_type);
  const auto qty = m.get_qty(tag::order_qty);
  const auto price = m.get_price_paise(tag::price);
  const int bad = (side != "1" && side != "2")           ? tag::side
                  : (ord_type != "1" && ord_type != "2") ? tag::ord_type
                  : !qty                                 ? tag::order_qty
                  : (m.has(tag::price) && !price)        ? tag::price
                                                         : 0;
  if (bad != 0) {
    note("bad value");
    return s.reject(seq, bad, session_reject_reason::value_out_of_range, "bad value", now);
  }
  const std::string_view cl_ord_id = *m.get(tag::cl_ord_id);
  if (book_.cl_ord_id_used(cl_ord_id)) {
    if (m.get_flag(tag::poss_resend)) {
      // IRRA re-sent an order it was unsure about: the first one stands.
      ++counters_.poss_resend_ignored;
      return note("poss_resend of a known order: ignored");
    }
    ++counters_.duplicate_cl_ord_ids;
    note("duplicate_cl_ord_id");
    return reject_new_order(m, "duplicate ClOrdID", rej_duplicate_order, false, now);
  }
  note({});
  const auto client = clients_by_ucc_.find(std::string(*m.get(tag::account)));
  if (client == clients_by_ucc_.end()) {
    return reject_new_order(m, "unknown account", rej_unknown_account, true, now);
  }
  const auto instrument = market_.find(*m.get(tag::security_exchange), *m.get(tag::symbol));
  if (!instrument) return reject_new_order(m, "unknown instrument", rej_unknown_symbol, true, now);
  const auto product = domain::parse_product(*m.get(tag::product));
  if (!product) return reject_new_order(m, "unknown product", rej_other, true, now);
  const domain::Instrument& in = market_.instrument(*instrument);
  if (*qty <= 0)
    return reject_new_order(m, "quantity must be positive", rej_incorrect_quantity, true, now);
  if (!in.is_lot_multiple(*qty)) {
    return reject_new_order(m, "quantity is not a multiple of the lot size", rej_incorrect_quantity,
                            true, now);
  }
  if (in.freeze_qty > 0 && *qty > in.freeze_qty) {
    return reject_new_order(m, "quantity above the freeze quantity", rej_incorrect_quantity, true,
                            now);
  }
  const bool limit = ord_type == "2";
  if (limit && !price)
    return reject_new_order(m, "limit order without a price", rej_other, true, now);
  if (!limit && price)
    return reject_new_order(m, "market order with a price", rej_other, true, now);
  if (limit && !in.on_tick(*price)) {
    return reject_new_order(m, "price is not a multiple of the tick size", rej_price_increment,
                            true, now);
  }
  if (limit && !in.in_band(*price)) {
    return reject_new_order(m, "price outside the band", rej_price_band, true, now);
  }
  if (const auto tif = m.get(tag::time_in_force); tif && *tif != "0") {
    return reject_new_order(m, "only day orders (TimeInForce 0) are accepted", rej_other, true,
                            now);
  }
  sim_order o;
  o.client = client->second;
  o.instrument = *instrument;
  o.product = *product;
  o.origin = order_origin::irra;
  o.side = side[0];
  o.ord_type = ord_type[0];
  o.price = limit ? *price : 0;
  o.qty = *qty;
  ++counters_.orders_accepted;
  const std::uint32_t n = accept_order(o, cl_ord_id, now);
  const std::int64_t last = market_.last(o.instrument);
  const bool marketable = !limit || (o.buy() ? o.price >= last : o.price <= last);
  if (marketable) {
    fill_marketable(n, now);
  } else {
    book_.add_resting(n);
  }
}

void exchange::reject_new_order(const fix::message& m, std::string_view text, int reason,
                                bool remember, const session_time& now) {
  ++counters_.orders_rejected;
  // The rejected order still gets an OrderID (its number is not reused).
  sim_order placeholder;
  placeholder.origin = order_origin::irra;
  placeholder.ord_status = '8';
  const std::uint32_t n = book_.add(placeholder);
  const std::string_view cl_ord_id = *m.get(tag::cl_ord_id);
  if (remember) book_.remember_cl_ord_id(cl_ord_id, n);
  const id_text order_id('O', n);
  fix::execution_report r;
  r.order_id = order_id.view();
  r.cl_ord_id = cl_ord_id;
  r.account = *m.get(tag::account);
  r.symbol = *m.get(tag::symbol);
  r.security_exchange = *m.get(tag::security_exchange);
  r.product = *m.get(tag::product);
  r.side = (*m.get(tag::side))[0];
  r.exec_type = '8';
  r.ord_status = '8';
  r.order_qty = m.get_qty(tag::order_qty).value_or(0);
  r.ord_type = (*m.get(tag::ord_type))[0];
  r.price = m.get_price_paise(tag::price);
  r.transact_time = transact_time(now);
  r.text = text;
  r.ord_rej_reason = reason;
  send_report(r, nullptr, true, now);
}

void exchange::fill_marketable(std::uint32_t n, const session_time& now) {
  const sim_order& o = book_.at(n);
  const domain::Instrument& in = market_.instrument(o.instrument);
  const std::int64_t lot = in.trades_in_lots() && in.lot_size > 0 ? in.lot_size : 1;
  std::int64_t units = o.leaves() / lot;
  const std::int64_t price = market_.last(o.instrument);
  // One to three partial fills, all at the last price.
  std::int64_t slices =
      std::min<std::int64_t>(units, 1 + static_cast<std::int64_t>(fill_rng_() % 3));
  while (units > 0 && slices > 0) {
    const std::int64_t slice = slices == 1 ? units : std::max<std::int64_t>(1, units / slices);
    fill(n, slice * lot, price, now);
    units -= slice;
    --slices;
  }
}

void exchange::on_cancel_request(acceptor_session& s, const fix::message& m, std::uint64_t seq,
                                 const session_time& now) {
  ++counters_.cancels_received;
  if (const int t = missing_field(m, {tag::cl_ord_id, tag::orig_cl_ord_id})) {
    if (journal_) journal_->received(s.kind(), seq, m, "required field missing");
    return s.reject(seq, t, session_reject_reason::required_tag_missing, "required field missing",
                    now);
  }
  const std::string_view cl_ord_id = *m.get(tag::cl_ord_id);
  if (book_.cl_ord_id_used(cl_ord_id)) {
    if (m.get_flag(tag::poss_resend)) {
      ++counters_.poss_resend_ignored;
      if (journal_) journal_->received(s.kind(), seq, m, "poss_resend of a known cancel: ignored");
      return;
    }
    ++counters_.duplicate_cl_ord_ids;
    if (journal_) journal_->received(s.kind(), seq, m, "duplicate_cl_ord_id");
    return cancel_reject(m, "NONE", '8', cxl_duplicate_cl_ord_id, "duplicate ClOrdID", now);
  }
  if (journal_) journal_->received(s.kind(), seq, m, {});
  book_.remember_cl_ord_id(cl_ord_id, 0);
  const auto order_id = m.get(tag::order_id);
  const auto n =
      order_id ? book_.find_order_id(*order_id) : book_.find_cl_ord_id(*m.get(tag::orig_cl_ord_id));
  if (!n) return cancel_reject(m, "NONE", '8', cxl_unknown_order, "unknown order", now);
  const sim_order& o = book_.at(*n);
  const id_text id('O', *n);
  if (o.is_final())
    return cancel_reject(m, id.view(), o.ord_status, cxl_too_late, status_text(o.ord_status), now);
  const auto account = m.get(tag::account);
  if (account && *account != dump_.clients[o.client].ucc) {
    return cancel_reject(m, id.view(), o.ord_status, cxl_other, "account does not match the order",
                         now);
  }
  cancel(*n, cl_ord_id, true, now);
}

void exchange::cancel_reject(const fix::message& m, std::string_view order_id, char ord_status,
                             int reason, std::string_view text, const session_time& now) {
  ++counters_.cancels_rejected;
  fix::order_cancel_reject r;
  r.order_id = order_id;
  r.cl_ord_id = *m.get(tag::cl_ord_id);
  r.orig_cl_ord_id = *m.get(tag::orig_cl_ord_id);
  r.ord_status = ord_status;
  r.cxl_rej_response_to = '1';
  r.cxl_rej_reason = reason;
  r.account = m.get(tag::account).value_or("");
  r.text = text;
  acceptor_session& oe = session(session_kind::order_entry);
  const std::uint64_t seq =
      oe.send_application(fix::msg_type::order_cancel_reject, now,
                          [&](fix::writer& w) { return encode_cancel_reject(w, r); });
  if (journal_ && seq) journal_->sent_cancel_reject(session_kind::order_entry, seq, r);
}

}  // namespace irra::sim
