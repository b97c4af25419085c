// The two tables handed over, column by column, and a record's values in that order. The
// database tables, the CSV headers and the JSON keys all come from these lists.
#include "irra/domain/money.hpp"
#include "irra/reverse/records.hpp"

namespace irra::reverse {
namespace {

Column text(std::string_view name, int size, bool key = false) {
  return Column{name, ColumnType::text, size, key};
}
Column integer(std::string_view name) {
  return Column{name, ColumnType::integer, 0, false};
}
Column rupees(std::string_view name) {
  return Column{name, ColumnType::rupees, 0, false};
}

std::string time_text(domain::Timestamp t) {
  return t == 0 ? std::string() : domain::format_iso8601(t);
}

}  // namespace

const Table& orders_table() {
  static const Table t{"irra_backup_orders",
                       {
                           text("trading_date", 10, true),
                           text("order_id", 64, true),
                           text("source", 8),
                           text("exchange_order_id", 64),
                           text("cl_ord_id", 64),
                           text("ucc", 32),
                           text("instrument_id", 64),
                           text("product", 8),
                           text("side", 8),
                           text("order_type", 8),
                           integer("qty"),
                           integer("price_paise"),
                           rupees("price"),
                           integer("filled_qty"),
                           integer("avg_price_paise"),
                           rupees("avg_price"),
                           integer("filled_value_paise"),
                           text("status", 20),
                           text("reason", 512),
                           text("origin", 16),
                           text("placed_by", 128),
                           text("placed_reason", 512),
                           text("cancel_requested_at", 40),
                           text("cancel_requested_by", 128),
                           text("placed_at", 40),
                           text("updated_at", 40),
                       }};
  return t;
}

const Table& trades_table() {
  static const Table t{"irra_backup_trades",
                       {
                           text("trading_date", 10, true),
                           text("trade_id", 64, true),
                           text("order_id", 64),
                           text("exchange_order_id", 64),
                           text("source", 8),
                           text("ucc", 32),
                           text("instrument_id", 64),
                           text("product", 8),
                           text("side", 8),
                           integer("qty"),
                           integer("price_paise"),
                           rupees("price"),
                           integer("value_paise"),
                           text("traded_at", 40),
                       }};
  return t;
}

std::vector<Value> values_of(const OrderRecord& r) {
  return {
      r.trading_date,
      r.order_id,
      r.source,
      r.exchange_order_id,
      r.cl_ord_id,
      r.ucc,
      r.instrument_id,
      r.product,
      r.side,
      r.order_type,
      r.qty,
      r.price,
      r.price,
      r.filled_qty,
      r.avg_price,
      r.avg_price,
      r.filled_value,
      r.status,
      r.reason,
      r.origin,
      r.placed_by,
      r.placed_reason,
      time_text(r.cancel_requested_at),
      r.cancel_requested_by,
      time_text(r.placed_at),
      time_text(r.updated_at),
  };
}

std::vector<Value> values_of(const TradeRecord& r) {
  return {
      r.trading_date,  r.trade_id,
      r.order_id,      r.exchange_order_id,
      r.source,        r.ucc,
      r.instrument_id, r.product,
      r.side,          r.qty,
      r.price,         r.price,
      r.value,         time_text(r.traded_at),
  };
}

std::string text_of(const Column& column, const Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  const auto n = std::get<std::int64_t>(value);
  return column.type == ColumnType::rupees ? domain::format_rupees(n) : std::to_string(n);
}

}  // namespace irra::reverse
