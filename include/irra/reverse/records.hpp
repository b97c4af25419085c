// What `irra reverse-migrate` hands over to the main system for one trading date: the orders
// IRRA placed or acted on and the trades done while it was ACTIVE, as rows of two tables
// (docs/reverse-migration.md). Rebuilt from IRRA's own database: the journal replayed over
// an empty Book (trading/journal_replay.hpp) gives each order's final state; the table
// mode_transitions gives the periods the service was ACTIVE.
//
// Thread rule: plain values and functions of the caller's thread and session.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "irra/domain/money.hpp"
#include "irra/domain/timestamp.hpp"
#include "irra/trading/engine.hpp"

namespace soci {
class session;
}

namespace irra::reverse {

// ---------------------------------------------------------------- the periods ACTIVE

// One row of mode_transitions (migration 3), oldest first.
struct ModeTransition {
  std::int64_t id = 0;
  domain::Timestamp at = 0;
  std::string from_mode;
  std::string to_mode;
};

// [from, to): to is nullopt while the service is still ACTIVE. `from` is 0 when the first
// recorded transition leaves ACTIVE (the service was ACTIVE before anything was recorded).
struct ActivePeriod {
  domain::Timestamp from = 0;
  std::optional<domain::Timestamp> to;

  bool contains(domain::Timestamp t) const { return t >= from && (!to || t < *to); }
  friend bool operator==(const ActivePeriod&, const ActivePeriod&) = default;
};

// The ACTIVE periods the transitions describe (modes compared case-insensitively).
std::vector<ActivePeriod> active_periods(const std::vector<ModeTransition>& transitions);

// Every row of mode_transitions, in id order. Throws std::runtime_error on a bad time.
std::vector<ModeTransition> read_mode_transitions(soci::session& sql);

// ---------------------------------------------------------------- the rows handed over

// An order IRRA placed (source "backup"), or a main-site order IRRA asked to cancel
// (source "main"), in its final state as the journal shows it.
struct OrderRecord {
  std::string trading_date;
  std::string order_id;           // backup: IRRA's ClOrdID; main: the exchange's OrderID
  std::string source;             // "backup" | "main"
  std::string exchange_order_id;  // "" until the exchange acknowledged a backup order
  std::string cl_ord_id;
  std::string ucc;
  std::string instrument_id;
  std::string product;
  std::string side;
  std::string order_type;
  domain::Qty qty = 0;
  domain::Paise price = 0;  // 0 for market orders
  domain::Qty filled_qty = 0;
  domain::Paise avg_price = 0;     // rounded to the paisa; 0 until a fill
  domain::Paise filled_value = 0;  // sum of fill qty * price, exact
  std::string status;
  std::string reason;         // the exchange's text on a reject, cancel or expiry
  std::string origin;         // backup: "investor" | "staff" | "bulk"; main: ""
  std::string placed_by;      // backup: who (the investor's UCC, the staff user, the bulk job)
  std::string placed_reason;  // backup: staff's reason and evidence reference
  domain::Timestamp cancel_requested_at = 0;  // IRRA's last cancel request; 0: none
  std::string cancel_requested_by;
  domain::Timestamp placed_at = 0;
  domain::Timestamp updated_at = 0;
};

// A fill of a backup order, or of a main-site order executed while IRRA was ACTIVE.
struct TradeRecord {
  std::string trading_date;
  std::string trade_id;  // the ExecID, unique per exchange day
  std::string order_id;
  std::string exchange_order_id;
  std::string source;  // of the order: "backup" | "main"
  std::string ucc;
  std::string instrument_id;
  std::string product;
  std::string side;
  domain::Qty qty = 0;
  domain::Paise price = 0;
  domain::Paise value = 0;          // qty * price
  domain::Timestamp traded_at = 0;  // the exchange's TransactTime
};

struct DayRecords {
  std::string trading_date;
  std::vector<ActivePeriod> active;
  std::vector<OrderRecord> orders;  // in the order IRRA first saw them
  std::vector<TradeRecord> trades;  // in the order they arrived
  trading::ReplayCounts replay;
};

// Replays the journal of `trading_date` and reads mode_transitions from IRRA's database.
// Throws std::runtime_error on an unreadable row, soci::soci_error on a database error.
DayRecords collect_day(soci::session& irra_db, const std::string& trading_date);

// ---------------------------------------------------------------- one schema for every target

// text: VARCHAR(size); integer: BIGINT; rupees: DECIMAL(18,2) shown from the paise value.
enum class ColumnType { text, integer, rupees };

struct Column {
  std::string_view name;
  ColumnType type = ColumnType::text;
  int size = 0;  // text columns
  bool key = false;
};

using Value = std::variant<std::string, std::int64_t>;  // text | integer and rupees (paise)

struct Table {
  std::string_view name;
  std::vector<Column> columns;
};

const Table& orders_table();  // irra_backup_orders
const Table& trades_table();  // irra_backup_trades

// A record's values in its table's column order.
std::vector<Value> values_of(const OrderRecord& r);
std::vector<Value> values_of(const TradeRecord& r);

// A value as text: integers in decimal, rupees as "2450.50", times ISO-8601 (already text).
std::string text_of(const Column& column, const Value& value);

}  // namespace irra::reverse
