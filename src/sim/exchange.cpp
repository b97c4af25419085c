#include "exchange.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

#include "ids.hpp"
#include "irra/domain/money.hpp"
#include "irra/fix/tags.hpp"
#include "wire_format.hpp"

namespace irra::sim {
namespace {

std::vector<domain::Instrument> to_domain(const std::vector<sod::Instrument>& in) {
  std::vector<domain::Instrument> out;
  out.reserve(in.size());
  for (const sod::Instrument& i : in) {
    out.push_back(domain::Instrument{i.instrument_id, i.exchange, i.segment, i.symbol, i.lot_size,
                                     i.tick_size, i.freeze_qty, i.lower_band, i.upper_band,
                                     i.prev_close});
  }
  return out;
}

// Drop-copy output beyond this pauses the main-site flow (the reader is behind).
constexpr std::size_t flow_backlog_limit = 16 << 20;

// 09:15 IST (03:45 UTC) of a "YYYY-MM-DD" trading date: the virtual clock's start.
fix::utc_timestamp day_open(const std::string& trading_date) {
  using namespace std::chrono;
  const auto part = [&](std::size_t at, std::size_t len) {
    int v = 0;
    if (trading_date.size() < at + len) return 0;
    const auto r = std::from_chars(trading_date.data() + at, trading_date.data() + at + len, v);
    return r.ec == std::errc{} ? v : 0;
  };
  const year_month_day date{year{part(0, 4)}, month{static_cast<unsigned>(part(5, 2))},
                            day{static_cast<unsigned>(part(8, 2))}};
  const sys_days d = date.ok() ? sys_days{date} : sys_days{};
  return fix::utc_timestamp{d} + hours{3} + minutes{45};
}

}  // namespace

exchange::exchange(const sod::Dump& dump, const sim_options& options, journal* j)
    : dump_(dump),
      market_(to_domain(dump.instruments), options.seed),
      journal_(j),
      fill_rng_(options.seed + 1),
      virtual_clock_(options.virtual_clock),
      day_open_(day_open(dump.manifest.trading_date)),
      walk_period_(std::chrono::milliseconds(options.walk_ms)),
      next_walk_(walk_period_),
      flow_(*this, options.flow_rate, options.flow_count, options.seed + 2) {
  for (const auto k : all_session_kinds) {
    const int i = static_cast<int>(k);
    stores_[i] = std::make_unique<chunked_store>(options.resend_window);
    sessions_[i] =
        std::make_unique<acceptor_session>(k, std::string(comp_id_of(k)), *stores_[i], *this);
  }
  clients_by_ucc_.reserve(dump.clients.size());
  for (std::uint32_t i = 0; i < dump.clients.size(); ++i) {
    clients_by_ucc_.emplace(dump.clients[i].ucc, i);
  }
  positions_.reserve(dump.positions.size() * 2);
  for (const sod::Position& p : dump.positions) {
    positions_[position_key(p.client, p.instrument, p.product)] += p.net_qty;
  }
}

acceptor_session* exchange::find_session(std::string_view target_comp_id) {
  for (auto& s : sessions_) {
    if (s->comp_id() == target_comp_id) return s.get();
  }
  return nullptr;
}

void exchange::on_application(acceptor_session& s, const fix::message& m, std::uint64_t seq,
                              const session_time& now) {
  const std::string_view type = m.msg_type();
  if (s.kind() == session_kind::order_entry && type == fix::msg_type::new_order_single) {
    return on_new_order(s, m, seq, now);
  }
  if (s.kind() == session_kind::order_entry && type == fix::msg_type::order_cancel_request) {
    return on_cancel_request(s, m, seq, now);
  }
  if (s.kind() == session_kind::market_data && type == fix::msg_type::market_data_request) {
    return on_md_request(s, m, seq, now);
  }
  if (journal_) journal_->received(s.kind(), seq, m, "unsupported message type");
  s.reject(seq, fix::tag::msg_type, fix::session_reject_reason::invalid_msg_type,
           "message type not supported on this session", now);
}

void exchange::on_logon(acceptor_session& s) {
  spdlog::info("{} logged on (counterparty {}, next out {}, next in {})", s.comp_id(),
               s.counterparty(), s.next_out_seq(), s.next_in_seq());
}

void exchange::on_disconnect(acceptor_session& s, std::string_view reason) {
  spdlog::info("{} disconnected: {}", s.comp_id(), reason);
  if (s.kind() == session_kind::market_data) md_subscriptions_.clear();
}

void exchange::on_duplicate_sent(acceptor_session& s, const fix::message& m, std::uint64_t seq,
                                 bool poss_dup, bool /*poss_resend*/) {
  if (!journal_ || m.msg_type() != fix::msg_type::execution_report) return;
  fix::execution_report r;
  if (!fix::decode(m, r).ok()) return;
  journal_->sent_report(s.kind(), seq, r, "dup", poss_dup ? "poss_dup" : "poss_resend");
}

void exchange::on_tick(const session_time& now) {
  acceptor_session& dc = session(session_kind::drop_copy);
  if (!flow_.started() && dc.logged_on()) flow_.start(now);
  flow_.on_tick(now, dc.pending_output() > flow_backlog_limit);
  flush_pending_prices(now);
  for (auto& s : sessions_) s->on_timer(now);
}

void exchange::advance_clock(std::chrono::nanoseconds since_open, const session_time& now) {
  if (!virtual_clock_ || since_open <= clock_) return;
  // Walk steps due by then happen first, each at its own time.
  while (walk_period_.count() > 0 && next_walk_ <= since_open) {
    clock_ = next_walk_;
    next_walk_ += walk_period_;
    step_prices(now);
  }
  clock_ = since_open;
}

void exchange::step_prices(const session_time& now) {
  changed_.clear();
  market_.step(changed_);
  for (const std::uint32_t i : changed_) {
    crossed_.clear();
    book_.crossed(i, market_.last(i), crossed_);
    for (const std::uint32_t n : crossed_) fill_marketable(n, now);
    publish_price(i, now);
  }
}

bool exchange::set_price(std::string_view instrument_id, std::int64_t price,
                         const session_time& now, std::string& error) {
  const auto i = market_.find(instrument_id);
  if (!i) {
    error = "unknown instrument";
    return false;
  }
  const domain::Instrument& in = market_.instrument(*i);
  if (!in.on_tick(price) || price < market_.lowest(*i) || price > market_.highest(*i)) {
    error = "price must be on the tick grid and inside the band";
    return false;
  }
  market_.set_last(*i, price);
  crossed_.clear();
  book_.crossed(*i, price, crossed_);
  for (const std::uint32_t n : crossed_) fill_marketable(n, now);
  publish_price(*i, now);
  return true;
}

void exchange::fill_report_fields(const sim_order& o, std::uint32_t n, fix::execution_report& r,
                                  const std::string& cl_ord_id, const session_time& now) const {
  const domain::Instrument& in = market_.instrument(o.instrument);
  r.cl_ord_id = cl_ord_id;
  r.account = dump_.clients[o.client].ucc;
  r.symbol = in.symbol;
  r.security_exchange = in.exchange;
  r.product = domain::to_string(o.product);
  r.side = o.side;
  r.order_qty = o.qty;
  r.ord_type = o.ord_type;
  if (o.ord_type == '2') r.price = o.price;
  r.ord_status = o.ord_status;
  r.cum_qty = o.cum_qty;
  r.leaves_qty = o.leaves();
  r.avg_px = o.avg_px();
  r.transact_time = transact_time(now);
  (void)n;
}

void exchange::send_report(fix::execution_report& r, const sim_order* o, bool to_oe,
                           const session_time& now) {
  const id_text exec_id('E', next_exec_id_++);
  ++counters_.exec_ids;
  r.exec_id = exec_id.view();
  const std::string_view origin = o == nullptr || o->origin == order_origin::irra ? "irra" : "main";
  const auto body = [&](fix::writer& w) { return encode_execution_report(w, r); };
  acceptor_session& dc = session(session_kind::drop_copy);
  const std::uint64_t dc_seq = dc.send_application(fix::msg_type::execution_report, now, body);
  if (journal_ && dc_seq)
    journal_->sent_report(session_kind::drop_copy, dc_seq, r, origin, "original");
  if (to_oe) {
    acceptor_session& oe = session(session_kind::order_entry);
    const std::uint64_t oe_seq = oe.send_application(fix::msg_type::execution_report, now, body);
    if (journal_ && oe_seq)
      journal_->sent_report(session_kind::order_entry, oe_seq, r, origin, "original");
  }
  if (o != nullptr && r.exec_type == 'F' && r.last_qty) {
    const std::int64_t signed_qty = o->buy() ? *r.last_qty : -*r.last_qty;
    positions_[position_key(o->client, o->instrument, o->product)] += signed_qty;
    ++counters_.fills;
  }
}

std::uint32_t exchange::accept_order(const sim_order& o, std::string_view cl_ord_id,
                                     const session_time& now) {
  sim_order accepted = o;
  accepted.ord_status = '0';
  const std::uint32_t n = book_.add(accepted);
  if (o.origin == order_origin::irra) book_.remember_cl_ord_id(cl_ord_id, n);
  const std::string cl = book_.cl_ord_id(n);
  const id_text order_id('O', n);
  fix::execution_report r;
  r.order_id = order_id.view();
  r.exec_type = '0';
  fill_report_fields(book_.at(n), n, r, cl, now);
  send_report(r, &book_.at(n), o.origin == order_origin::irra, now);
  return n;
}

void exchange::reject_order(const sim_order& o, std::string_view cl_ord_id, std::string_view text,
                            int reason, const session_time& now) {
  sim_order rejected = o;
  rejected.ord_status = '8';
  const std::uint32_t n = book_.add(rejected);
  if (o.origin == order_origin::irra && !book_.cl_ord_id_used(cl_ord_id)) {
    book_.remember_cl_ord_id(cl_ord_id, n);
  }
  const std::string cl =
      o.origin == order_origin::irra ? std::string(cl_ord_id) : book_.cl_ord_id(n);
  const id_text order_id('O', n);
  fix::execution_report r;
  r.order_id = order_id.view();
  r.exec_type = '8';
  fill_report_fields(book_.at(n), n, r, cl, now);
  r.text = text;
  r.ord_rej_reason = reason;
  send_report(r, &book_.at(n), o.origin == order_origin::irra, now);
}

void exchange::fill(std::uint32_t n, std::int64_t qty, std::int64_t price,
                    const session_time& now) {
  sim_order& o = book_.at(n);
  qty = std::min(qty, o.leaves());
  if (qty <= 0) return;
  o.cum_qty += qty;
  o.cum_value += qty * price;
  o.ord_status = o.cum_qty == o.qty ? '2' : '1';
  const std::string cl = book_.cl_ord_id(n);
  const id_text order_id('O', n);
  fix::execution_report r;
  r.order_id = order_id.view();
  r.exec_type = 'F';
  fill_report_fields(o, n, r, cl, now);
  r.last_qty = qty;
  r.last_px = price;
  send_report(r, &o, o.origin == order_origin::irra, now);
}

void exchange::cancel(std::uint32_t n, std::string_view cancel_cl_ord_id, bool to_oe,
                      const session_time& now) {
  sim_order& o = book_.at(n);
  if (o.is_final()) return;
  o.ord_status = '4';
  const std::string orig = book_.cl_ord_id(n);
  const id_text order_id('O', n);
  fix::execution_report r;
  r.order_id = order_id.view();
  r.exec_type = '4';
  fill_report_fields(o, n, r, orig, now);
  if (!cancel_cl_ord_id.empty()) {
    // A cancel IRRA asked for: 11 is the cancel's own ClOrdID, 41 the order's.
    r.cl_ord_id = cancel_cl_ord_id;
    r.orig_cl_ord_id = orig;
  }
  send_report(r, &o, to_oe || o.origin == order_origin::irra, now);
}

nlohmann::json exchange::state(bool with_positions) const {
  nlohmann::json sessions = nlohmann::json::object();
  for (const auto& s : sessions_) {
    const acceptor_counters& c = s->counters();
    const auto* store = stores_[static_cast<int>(s->kind())].get();
    sessions[std::string(short_name(s->kind()))] = {
        {"comp_id", s->comp_id()},
        {"counterparty", s->counterparty()},
        {"logged_on", s->logged_on()},
        {"next_in_seq", s->next_in_seq()},
        {"next_out_seq", s->next_out_seq()},
        {"app_messages_sent", c.app_sent},
        {"resent", c.resent},
        {"gap_fills", c.gap_fills},
        {"resend_requests_received", c.resend_requests_received},
        {"resend_requests_sent", c.resend_requests_sent},
        {"rejects_sent", c.rejects_sent},
        {"logons", c.logons},
        {"garbled_received", c.garbled},
        {"stored", store->stored()},
        {"evicted", store->evicted()},
        {"pending_output_bytes", s->pending_output()}};
  }
  const exchange_counters& c = counters_;
  nlohmann::json doc = {{"sessions", sessions},
                        {"orders_received", c.orders_received},
                        {"orders_accepted", c.orders_accepted},
                        {"orders_rejected", c.orders_rejected},
                        {"cancels_received", c.cancels_received},
                        {"cancel_rejects_sent", c.cancels_rejected},
                        {"duplicate_cl_ord_ids", c.duplicate_cl_ord_ids},
                        {"poss_resend_ignored", c.poss_resend_ignored},
                        {"exec_ids", c.exec_ids},
                        {"fills", c.fills},
                        {"md_requests", c.md_requests},
                        {"md_rejects", c.md_rejects},
                        {"orders", book_.size()},
                        {"flow",
                         {{"rate", flow_.rate()},
                          {"limit", flow_.limit()},
                          {"emitted", flow_.emitted()},
                          {"started", flow_.started()},
                          {"done", flow_.done()},
                          {"live_orders", flow_.live_orders()}}}};
  if (with_positions) {
    // Sorted, flat positions omitted (as `irra ctl positions` does).
    std::map<std::tuple<std::string_view, std::string_view, std::string_view>, std::int64_t> sorted;
    for (const auto& [key, qty] : positions_) {
      if (qty == 0) continue;
      const auto client = static_cast<std::uint32_t>(key >> 32);
      const auto instrument = static_cast<std::uint32_t>((key >> 3) & 0x1fffffff);
      const auto product = static_cast<domain::Product>(key & 7);
      sorted[{dump_.clients[client].ucc, market_.instrument(instrument).instrument_id,
              domain::to_string(product)}] = qty;
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [k, qty] : sorted) {
      list.push_back({{"account", std::get<0>(k)},
                      {"instrument", std::get<1>(k)},
                      {"product", std::get<2>(k)},
                      {"net_qty", qty}});
    }
    doc["positions"] = std::move(list);
  }
  return doc;
}

}  // namespace irra::sim
