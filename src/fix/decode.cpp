// Decoders of the inbound application messages of interfaces.md section 5.
#include <string>

#include "field_reader.hpp"
#include "irra/fix/messages.hpp"
#include "irra/fix/tags.hpp"

namespace irra::fix {
namespace {

constexpr auto qty = [](std::string_view v) { return parse_qty(v); };
constexpr auto price = [](std::string_view v) { return parse_price_paise(v); };
constexpr auto average_price = [](std::string_view v) { return parse_price_paise_rounded(v); };
constexpr auto integer = [](std::string_view v) { return parse_int(v); };
constexpr auto timestamp = [](std::string_view v) { return parse_utc_timestamp(v); };

bool is_one_of(char c, std::string_view allowed) {
  return allowed.find(c) != std::string_view::npos;
}

}  // namespace

std::string_view tag_name(int t) noexcept {
  switch (t) {
    case tag::account:
      return "Account";
    case tag::avg_px:
      return "AvgPx";
    case tag::cl_ord_id:
      return "ClOrdID";
    case tag::cum_qty:
      return "CumQty";
    case tag::exec_id:
      return "ExecID";
    case tag::last_px:
      return "LastPx";
    case tag::last_qty:
      return "LastQty";
    case tag::msg_seq_num:
      return "MsgSeqNum";
    case tag::msg_type:
      return "MsgType";
    case tag::order_id:
      return "OrderID";
    case tag::order_qty:
      return "OrderQty";
    case tag::ord_status:
      return "OrdStatus";
    case tag::ord_type:
      return "OrdType";
    case tag::orig_cl_ord_id:
      return "OrigClOrdID";
    case tag::price:
      return "Price";
    case tag::side:
      return "Side";
    case tag::symbol:
      return "Symbol";
    case tag::text:
      return "Text";
    case tag::time_in_force:
      return "TimeInForce";
    case tag::transact_time:
      return "TransactTime";
    case tag::cxl_rej_reason:
      return "CxlRejReason";
    case tag::ord_rej_reason:
      return "OrdRejReason";
    case tag::exec_type:
      return "ExecType";
    case tag::leaves_qty:
      return "LeavesQty";
    case tag::security_exchange:
      return "SecurityExchange";
    case tag::cxl_rej_response_to:
      return "CxlRejResponseTo";
    case tag::product:
      return "Product";
    case tag::md_req_id:
      return "MDReqID";
    case tag::no_md_entries:
      return "NoMDEntries";
    case tag::md_entry_type:
      return "MDEntryType";
    case tag::md_entry_px:
      return "MDEntryPx";
    case tag::md_req_rej_reason:
      return "MDReqRejReason";
    default:
      return "?";
  }
}

std::string decode_result::describe() const {
  const std::string field =
      "field " + std::to_string(tag) + " (" + std::string(tag_name(tag)) + ")";
  switch (status) {
    case decode_status::ok:
      return "ok";
    case decode_status::wrong_msg_type:
      return "unexpected MsgType";
    case decode_status::missing_field:
      return "required " + field + " missing";
    case decode_status::bad_value:
      return "bad value in " + field;
  }
  return "unknown";
}

decode_result decode(const message& m, execution_report& out) {
  if (m.msg_type() != msg_type::execution_report) {
    return {decode_status::wrong_msg_type, tag::msg_type};
  }
  detail::field_reader r(m);
  out.seq_num = m.seq_num();
  out.poss_dup = m.get_flag(tag::poss_dup_flag);
  out.poss_resend = m.get_flag(tag::poss_resend);
  out.exec_id = r.required(tag::exec_id);
  out.order_id = r.required(tag::order_id);
  out.cl_ord_id = r.optional(tag::cl_ord_id);
  out.orig_cl_ord_id = r.optional(tag::orig_cl_ord_id);
  out.account = r.required(tag::account);
  out.symbol = r.required(tag::symbol);
  out.security_exchange = r.required(tag::security_exchange);
  out.product = r.required(tag::product);
  out.side = r.required_char(tag::side);
  out.exec_type = r.required_char(tag::exec_type);
  out.ord_status = r.required_char(tag::ord_status);
  out.order_qty = r.required_as(tag::order_qty, qty);
  out.ord_type = r.optional_char(tag::ord_type).value_or(char{0});
  out.price = r.optional_as(tag::price, price);
  out.last_qty = r.optional_as(tag::last_qty, qty);
  out.last_px = r.optional_as(tag::last_px, price);
  out.cum_qty = r.required_as(tag::cum_qty, qty);
  out.leaves_qty = r.required_as(tag::leaves_qty, qty);
  // An average of fills need not be a whole paisa; it is informational, so rounded.
  out.avg_px = r.required_as(tag::avg_px, average_price);
  out.time_in_force = r.optional_char(tag::time_in_force).value_or('0');
  out.transact_time = r.required_as(tag::transact_time, timestamp);
  out.text = r.optional(tag::text);
  out.ord_rej_reason = r.optional_as(tag::ord_rej_reason, integer);
  if (!r.result().ok()) return r.result();
  // A trade without its quantity and price cannot be applied to a position.
  if (out.exec_type == 'F') {
    if (!out.last_qty) return {decode_status::missing_field, tag::last_qty};
    if (!out.last_px) return {decode_status::missing_field, tag::last_px};
    if (*out.last_qty <= 0) return {decode_status::bad_value, tag::last_qty};
  }
  if (!is_one_of(out.side, "12")) return {decode_status::bad_value, tag::side};
  if (out.price && *out.price <= 0) return {decode_status::bad_value, tag::price};
  if (out.last_px && *out.last_px <= 0) return {decode_status::bad_value, tag::last_px};
  if (out.avg_px < 0) return {decode_status::bad_value, tag::avg_px};
  return {};
}

decode_result decode(const message& m, order_cancel_reject& out) {
  if (m.msg_type() != msg_type::order_cancel_reject) {
    return {decode_status::wrong_msg_type, tag::msg_type};
  }
  detail::field_reader r(m);
  out.seq_num = m.seq_num();
  out.order_id = r.required(tag::order_id);
  out.cl_ord_id = r.required(tag::cl_ord_id);
  out.orig_cl_ord_id = r.required(tag::orig_cl_ord_id);
  out.ord_status = r.required_char(tag::ord_status);
  out.cxl_rej_response_to = r.required_char(tag::cxl_rej_response_to);
  out.cxl_rej_reason = r.optional_as(tag::cxl_rej_reason, integer);
  out.account = r.optional(tag::account);
  out.text = r.optional(tag::text);
  return r.result();
}

decode_result decode(const message& m, market_data_snapshot& out) {
  if (m.msg_type() != msg_type::market_data_snapshot) {
    return {decode_status::wrong_msg_type, tag::msg_type};
  }
  detail::field_reader r(m);
  out.seq_num = m.seq_num();
  out.md_req_id = r.optional(tag::md_req_id);
  out.symbol = r.required(tag::symbol);
  out.security_exchange = r.required(tag::security_exchange);
  out.last_price.reset();
  if (!m.has(tag::no_md_entries)) r.missing(tag::no_md_entries);
  if (!r.result().ok()) return r.result();
  const group_view entries = m.group(tag::no_md_entries);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const group_instance e = entries[i];
    if (e.get(tag::md_entry_type) != std::optional<std::string_view>("2")) continue;
    const auto px = e.get(tag::md_entry_px);
    if (!px) return {decode_status::missing_field, tag::md_entry_px};
    const auto paise = parse_price_paise(*px);
    if (!paise || *paise <= 0) return {decode_status::bad_value, tag::md_entry_px};
    out.last_price = *paise;
  }
  return {};
}

decode_result decode(const message& m, market_data_request_reject& out) {
  if (m.msg_type() != msg_type::market_data_request_reject) {
    return {decode_status::wrong_msg_type, tag::msg_type};
  }
  detail::field_reader r(m);
  out.seq_num = m.seq_num();
  out.md_req_id = r.required(tag::md_req_id);
  out.md_req_rej_reason = r.optional_char(tag::md_req_rej_reason);
  out.text = r.optional(tag::text);
  return r.result();
}

}  // namespace irra::fix
