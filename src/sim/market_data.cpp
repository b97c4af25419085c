// Market data: MarketDataRequest subscriptions and last-price snapshots, throttled per
// instrument. Snapshots are not stored for resend (a stale price is worth nothing): a
// ResendRequest gap-fills over them.
#include <algorithm>
#include <string>

#include "exchange.hpp"
#include "irra/fix/tags.hpp"
#include "wire_format.hpp"

namespace irra::sim {
namespace tag = fix::tag;
using fix::session_reject_reason;

namespace {
constexpr auto md_throttle = std::chrono::milliseconds{200};
}

void exchange::on_md_request(acceptor_session& s, const fix::message& m, std::uint64_t seq,
                             const session_time& now) {
  ++counters_.md_requests;
  if (journal_) journal_->received(s.kind(), seq, m, {});
  const auto req_id = m.get(tag::md_req_id);
  const auto sub_type = m.get(tag::subscription_request_type);
  if (!req_id || !sub_type) {
    return s.reject(seq, req_id ? tag::subscription_request_type : tag::md_req_id,
                    session_reject_reason::required_tag_missing, "required field missing", now);
  }
  if (*sub_type == "2") {  // unsubscribe
    std::erase_if(md_subscriptions_, [&](const auto& kv) { return kv.second == *req_id; });
    return;
  }
  if (*sub_type != "0" && *sub_type != "1") {
    return s.reject(seq, tag::subscription_request_type, session_reject_reason::value_out_of_range,
                    "SubscriptionRequestType must be 0, 1 or 2", now);
  }
  std::string unknown;
  const fix::group_view symbols = m.group(tag::no_related_sym);
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    const auto symbol = symbols[i].get(tag::symbol);
    const auto exchange = symbols[i].get(tag::security_exchange);
    const auto instrument =
        symbol && exchange ? market_.find(*exchange, *symbol) : std::optional<std::uint32_t>{};
    if (!instrument) {
      if (!unknown.empty()) unknown += ", ";
      unknown.append(exchange.value_or("?")).append(1, ':').append(symbol.value_or("?"));
      continue;
    }
    if (*sub_type == "1") md_subscriptions_[*instrument] = std::string(*req_id);
    send_snapshot(*instrument, *req_id, now);
  }
  if (symbols.empty()) unknown = "no instrument requested";
  if (!unknown.empty()) {
    ++counters_.md_rejects;
    const std::string text = "unknown symbol: " + unknown;
    const std::uint64_t out = s.send_application(
        fix::msg_type::market_data_request_reject, now,
        [&](fix::writer& w) { return encode_md_reject(w, *req_id, '0', text); }, false);
    if (journal_ && out) journal_->sent_market_data(s.kind(), out, "Y", *req_id, {}, 0, text);
  }
}

void exchange::send_snapshot(std::uint32_t instrument, std::string_view md_req_id,
                             const session_time& now) {
  const domain::Instrument& in = market_.instrument(instrument);
  const std::int64_t price = market_.last(instrument);
  acceptor_session& md = session(session_kind::market_data);
  const std::uint64_t seq = md.send_application(
      fix::msg_type::market_data_snapshot, now,
      [&](fix::writer& w) {
        return encode_md_snapshot(w, md_req_id, in.symbol, in.exchange, price);
      },
      false);
  md_last_sent_[instrument] = now.steady;
  if (journal_ && seq) {
    journal_->sent_market_data(session_kind::market_data, seq, "W", md_req_id, in.instrument_id,
                               price, {});
  }
}

void exchange::publish_price(std::uint32_t instrument, const session_time& now) {
  const auto sub = md_subscriptions_.find(instrument);
  if (sub == md_subscriptions_.end()) return;
  const auto last = md_last_sent_.find(instrument);
  if (last != md_last_sent_.end() && now.steady - last->second < md_throttle) {
    md_pending_.push_back(instrument);
    return;
  }
  send_snapshot(instrument, sub->second, now);
}

void exchange::flush_pending_prices(const session_time& now) {
  if (md_pending_.empty()) return;
  std::vector<std::uint32_t> pending;
  pending.swap(md_pending_);
  std::sort(pending.begin(), pending.end());
  pending.erase(std::unique(pending.begin(), pending.end()), pending.end());
  for (const std::uint32_t i : pending) publish_price(i, now);
}

}  // namespace irra::sim
