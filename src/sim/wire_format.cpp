#include "wire_format.hpp"

#include "irra/fix/tags.hpp"

namespace irra::sim {
namespace tag = fix::tag;

bool encode_execution_report(fix::writer& w, const fix::execution_report& r) {
  w.field(tag::order_id, r.order_id);
  if (!r.cl_ord_id.empty()) w.field(tag::cl_ord_id, r.cl_ord_id);
  if (!r.orig_cl_ord_id.empty()) w.field(tag::orig_cl_ord_id, r.orig_cl_ord_id);
  w.field(tag::exec_id, r.exec_id)
      .field_char(tag::exec_type, r.exec_type)
      .field_char(tag::ord_status, r.ord_status)
      .field(tag::account, r.account)
      .field(tag::symbol, r.symbol)
      .field(tag::security_exchange, r.security_exchange)
      .field(tag::product, r.product)
      .field_char(tag::side, r.side)
      .field_int(tag::order_qty, r.order_qty);
  if (r.ord_type != 0) w.field_char(tag::ord_type, r.ord_type);
  if (r.price) w.field_price(tag::price, *r.price);
  w.field_char(tag::time_in_force, r.time_in_force);
  if (r.last_qty) w.field_int(tag::last_qty, *r.last_qty);
  if (r.last_px) w.field_price(tag::last_px, *r.last_px);
  w.field_int(tag::cum_qty, r.cum_qty)
      .field_int(tag::leaves_qty, r.leaves_qty)
      .field_price(tag::avg_px, r.avg_px)
      .field_time(tag::transact_time, r.transact_time);
  if (!r.text.empty()) w.field(tag::text, r.text);
  if (r.ord_rej_reason) w.field_int(tag::ord_rej_reason, *r.ord_rej_reason);
  return true;
}

bool encode_cancel_reject(fix::writer& w, const fix::order_cancel_reject& r) {
  w.field(tag::order_id, r.order_id)
      .field(tag::cl_ord_id, r.cl_ord_id)
      .field(tag::orig_cl_ord_id, r.orig_cl_ord_id)
      .field_char(tag::ord_status, r.ord_status)
      .field_char(tag::cxl_rej_response_to, r.cxl_rej_response_to);
  if (r.cxl_rej_reason) w.field_int(tag::cxl_rej_reason, *r.cxl_rej_reason);
  if (!r.account.empty()) w.field(tag::account, r.account);
  if (!r.text.empty()) w.field(tag::text, r.text);
  return true;
}

bool encode_md_snapshot(fix::writer& w, std::string_view md_req_id, std::string_view symbol,
                        std::string_view exchange, std::int64_t last_price) {
  if (!md_req_id.empty()) w.field(tag::md_req_id, md_req_id);
  w.field(tag::symbol, symbol)
      .field(tag::security_exchange, exchange)
      .field_int(tag::no_md_entries, 1)
      .field_char(tag::md_entry_type, '2')
      .field_price(tag::md_entry_px, last_price);
  return true;
}

bool encode_md_reject(fix::writer& w, std::string_view md_req_id, char reason,
                      std::string_view text) {
  w.field(tag::md_req_id, md_req_id).field_char(tag::md_req_rej_reason, reason);
  if (!text.empty()) w.field(tag::text, text);
  return true;
}

}  // namespace irra::sim
