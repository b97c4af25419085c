// Encoders of the outbound application messages of interfaces.md section 5.
#include "irra/fix/messages.hpp"
#include "irra/fix/tags.hpp"

namespace irra::fix {
namespace {

bool is_side(char c) {
  return c == '1' || c == '2';
}

}  // namespace

bool encode_body(writer& w, const new_order_single& m) {
  if (!is_side(m.side) || m.order_qty <= 0) return false;
  if (m.ord_type == '2') {
    if (!m.price || *m.price <= 0) return false;
  } else if (m.ord_type != '1' || m.price) {
    return false;  // only market and limit orders exist here; a market order has no price
  }
  w.field(tag::cl_ord_id, m.cl_ord_id)
      .field(tag::account, m.account)
      .field(tag::symbol, m.symbol)
      .field(tag::security_exchange, m.security_exchange)
      .field(tag::product, m.product)
      .field_char(tag::side, m.side)
      .field_int(tag::order_qty, m.order_qty)
      .field_char(tag::ord_type, m.ord_type);
  if (m.price) w.field_price(tag::price, *m.price);
  w.field_char(tag::time_in_force, m.time_in_force).field_time(tag::transact_time, m.transact_time);
  return true;
}

bool encode_body(writer& w, const order_cancel_request& m) {
  if (!is_side(m.side) || m.order_qty <= 0) return false;
  w.field(tag::orig_cl_ord_id, m.orig_cl_ord_id).field(tag::cl_ord_id, m.cl_ord_id);
  if (!m.order_id.empty()) w.field(tag::order_id, m.order_id);
  w.field(tag::account, m.account)
      .field(tag::symbol, m.symbol)
      .field(tag::security_exchange, m.security_exchange)
      .field_char(tag::side, m.side)
      .field_int(tag::order_qty, m.order_qty)
      .field_time(tag::transact_time, m.transact_time);
  return true;
}

bool encode_body(writer& w, const market_data_request& m) {
  if (m.instruments.empty()) return false;
  w.field(tag::md_req_id, m.md_req_id)
      .field_char(tag::subscription_request_type, '1')
      .field_int(tag::market_depth, 1)
      .field_int(tag::no_md_entry_types, 1)
      .field_char(tag::md_entry_type, '2')
      .field_uint(tag::no_related_sym, m.instruments.size());
  for (const auto& i : m.instruments) {
    w.field(tag::symbol, i.symbol).field(tag::security_exchange, i.security_exchange);
  }
  return true;
}

}  // namespace irra::fix
