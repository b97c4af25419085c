#include "irra/trading/json_text.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <optional>

#include "irra/domain/timestamp.hpp"
#include "irra/domain/utf8.hpp"

namespace irra::trading {

namespace {

void key(std::string& out, std::string_view name) {
  out += '"';
  out += name;  // our own keys: plain ASCII
  out += "\":";
}

void integer(std::string& out, std::int64_t v) {
  fmt::format_to(std::back_inserter(out), "{}", v);
}

void null_or_string(std::string& out, const domain::Instrument* ins, const std::string& s) {
  if (ins == nullptr) {
    out += "null";
  } else {
    append_json_string(out, s);
  }
}

void timestamp(std::string& out, domain::Timestamp t) {
  out += '"';
  out += domain::format_iso8601(t);
  out += '"';
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    // Copy the longest run that needs no escaping in one go.
    std::size_t j = i;
    while (j < s.size()) {
      const auto c = static_cast<unsigned char>(s[j]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++j;
    }
    out.append(s.data() + i, j - i);
    if (j == s.size()) break;
    const auto c = static_cast<unsigned char>(s[j]);
    if (c >= 0x80) {
      const std::size_t n = domain::utf8_sequence_length(s, j);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        i = j + 1;
      } else {
        out.append(s.data() + j, n);
        i = j + n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xF];
    }
    i = j + 1;
  }
  out += '"';
}

void append_rupees(std::string& out, domain::Paise paise) {
  // Unsigned arithmetic so that the most negative value has a magnitude too.
  const bool negative = paise < 0;
  const std::uint64_t abs =
      negative ? ~static_cast<std::uint64_t>(paise) + 1 : static_cast<std::uint64_t>(paise);
  const std::uint64_t whole = abs / 100;
  const unsigned cents = static_cast<unsigned>(abs % 100);
  if (negative) out += '-';
  fmt::format_to(std::back_inserter(out), "{}", whole);
  if (cents == 0) return;
  out += '.';
  out += static_cast<char>('0' + cents / 10);
  if (cents % 10 != 0) out += static_cast<char>('0' + cents % 10);
}

void append_position_json(std::string& out, const domain::Book& book, const domain::Position& p) {
  const auto& k = p.key();
  const domain::Instrument* ins = book.instrument(k.instrument_id);
  std::optional<domain::Paise> ltp = book.ltp(k.instrument_id);
  if (!ltp && ins != nullptr && ins->prev_close > 0) ltp = ins->prev_close;
  const domain::Qty pending = book.pending_exit_qty(k);
  // squareoff_qty as Book::squareoff_qty computes it, without a second lookup.
  const domain::Qty open = p.net_qty() < 0 ? -p.net_qty() : p.net_qty();
  const domain::Qty squareoff = open > pending ? open - pending : 0;
  const auto price_or_null = [&](domain::Paise v) {
    if (ins == nullptr) {
      out += "null";
    } else {
      append_rupees(out, v);
    }
  };
  const auto int_or_null = [&](std::int64_t v) {
    if (ins == nullptr) {
      out += "null";
    } else {
      integer(out, v);
    }
  };

  out += '{';
  key(out, "instrument"), append_json_string(out, k.instrument_id), out += ',';
  key(out, "exchange"), null_or_string(out, ins, ins ? ins->exchange : std::string()), out += ',';
  key(out, "segment");
  if (ins == nullptr) {
    out += "null";
  } else {
    append_json_string(out, domain::to_string(ins->segment));
  }
  out += ',';
  key(out, "symbol"), null_or_string(out, ins, ins ? ins->symbol : std::string()), out += ',';
  key(out, "product"), append_json_string(out, domain::to_string(k.product)), out += ',';
  key(out, "net_qty"), integer(out, p.net_qty()), out += ',';
  key(out, "avg_price"), append_rupees(out, p.avg_price()), out += ',';
  key(out, "ltp");
  if (ltp) {
    append_rupees(out, *ltp);
  } else {
    out += "null";
  }
  out += ',';
  key(out, "realized_pnl"), append_rupees(out, p.realized_pnl()), out += ',';
  key(out, "unrealized_pnl"), append_rupees(out, ltp ? p.unrealized_pnl(*ltp) : 0), out += ',';
  key(out, "pending_exit_qty"), integer(out, pending), out += ',';
  key(out, "squareoff_qty"), integer(out, squareoff), out += ',';
  key(out, "lot_size"), int_or_null(ins ? ins->lot_size : 0), out += ',';
  key(out, "tick_size"), price_or_null(ins ? ins->tick_size : 0), out += ',';
  key(out, "freeze_qty"), int_or_null(ins ? ins->freeze_qty : 0), out += ',';
  key(out, "lower_band"), price_or_null(ins ? ins->lower_band : 0), out += ',';
  key(out, "upper_band"), price_or_null(ins ? ins->upper_band : 0);
  out += '}';
}

void append_order_json(std::string& out, const domain::Order& o) {
  // A main-site order's order_id is the exchange's OrderID.
  const std::string& exchange_id =
      o.source == domain::OrderSource::main ? o.order_id : o.exchange_order_id;
  out += '{';
  key(out, "order_id"), append_json_string(out, o.order_id), out += ',';
  key(out, "exchange_order_id");
  if (exchange_id.empty()) {
    out += "null";
  } else {
    append_json_string(out, exchange_id);
  }
  out += ',';
  key(out, "instrument"), append_json_string(out, o.instrument_id), out += ',';
  key(out, "product"), append_json_string(out, domain::to_string(o.product)), out += ',';
  key(out, "side"), append_json_string(out, domain::to_string(o.side)), out += ',';
  key(out, "qty"), integer(out, o.qty), out += ',';
  key(out, "filled_qty"), integer(out, o.filled_qty), out += ',';
  key(out, "price"), append_rupees(out, o.price), out += ',';
  key(out, "order_type"), append_json_string(out, domain::to_string(o.order_type)), out += ',';
  key(out, "status"), append_json_string(out, domain::to_string(o.status)), out += ',';
  key(out, "source"), append_json_string(out, domain::to_string(o.source)), out += ',';
  // Who placed one of IRRA's own orders; main-site orders carry no origin.
  if (o.origin) {
    key(out, "placed_by"), append_json_string(out, domain::to_string(*o.origin)), out += ',';
  }
  key(out, "placed_at"), timestamp(out, o.placed_at), out += ',';
  key(out, "updated_at"), timestamp(out, o.updated_at), out += ',';
  key(out, "reason"), append_json_string(out, o.reason);
  out += '}';
}

void append_trade_json(std::string& out, const domain::Trade& t) {
  out += '{';
  key(out, "trade_id"), append_json_string(out, t.trade_id), out += ',';
  key(out, "order_id"), append_json_string(out, t.order_id), out += ',';
  key(out, "instrument"), append_json_string(out, t.instrument_id), out += ',';
  key(out, "side"), append_json_string(out, domain::to_string(t.side)), out += ',';
  key(out, "qty"), integer(out, t.qty), out += ',';
  key(out, "price"), append_rupees(out, t.price), out += ',';
  key(out, "time"), timestamp(out, t.time);
  out += '}';
}

}  // namespace irra::trading
