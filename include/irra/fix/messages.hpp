#pragma once
// IRRA's application messages (interfaces.md section 5) as plain structs, decoded from a
// parsed `message` or encoded into a `writer`. Decoded strings are views into the
// receive buffer: copy what you keep. Prices are paise, quantities whole units.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "irra/fix/message.hpp"
#include "irra/fix/numbers.hpp"
#include "irra/fix/writer.hpp"

namespace irra::fix {

enum class decode_status : std::uint8_t { ok, wrong_msg_type, missing_field, bad_value };

struct decode_result {
  decode_status status = decode_status::ok;
  int tag = 0;  // the field at fault
  bool ok() const { return status == decode_status::ok; }
  // e.g. "required field 17 (ExecID) missing", "bad value in field 44 (Price)".
  std::string describe() const;
};

// Name of a tag IRRA uses ("ExecID"), or "?" for others.
std::string_view tag_name(int tag) noexcept;

// ExecutionReport (35=8), drop copy and order entry.
struct execution_report {
  std::uint64_t seq_num = 0;
  bool poss_dup = false;                       // 43=Y
  bool poss_resend = false;                    // 97=Y
  std::string_view exec_id;                    // 17, required
  std::string_view order_id;                   // 37, required
  std::string_view cl_ord_id;                  // 11, optional
  std::string_view orig_cl_ord_id;             // 41, optional
  std::string_view account;                    // 1, required (UCC)
  std::string_view symbol;                     // 55, required
  std::string_view security_exchange;          // 207, required
  std::string_view product;                    // 5001, required (MIS/NRML/CNC/MTF)
  char side = 0;                               // 54, required
  char exec_type = 0;                          // 150, required
  char ord_status = 0;                         // 39, required
  std::int64_t order_qty = 0;                  // 38, required
  char ord_type = 0;                           // 40, optional (0 when absent)
  std::optional<std::int64_t> price;           // 44, limit orders
  std::optional<std::int64_t> last_qty;        // 32, required when exec_type is F (trade)
  std::optional<std::int64_t> last_px;         // 31, required when exec_type is F (trade)
  std::int64_t cum_qty = 0;                    // 14, required
  std::int64_t leaves_qty = 0;                 // 151, required
  std::int64_t avg_px = 0;                     // 6, required, rounded to the paisa
  char time_in_force = '0';                    // 59, optional, default day
  utc_timestamp transact_time{};               // 60, required
  std::string_view text;                       // 58, optional
  std::optional<std::int64_t> ord_rej_reason;  // 103, optional
};
decode_result decode(const message& m, execution_report& out);

// OrderCancelReject (35=9).
struct order_cancel_reject {
  std::uint64_t seq_num = 0;
  std::string_view order_id;                   // 37, required
  std::string_view cl_ord_id;                  // 11, required
  std::string_view orig_cl_ord_id;             // 41, required
  char ord_status = 0;                         // 39, required
  char cxl_rej_response_to = 0;                // 434, required
  std::optional<std::int64_t> cxl_rej_reason;  // 102
  std::string_view account;                    // 1, optional
  std::string_view text;                       // 58, optional
};
decode_result decode(const message& m, order_cancel_reject& out);

// MarketDataSnapshotFullRefresh (35=W): the last traded price of one instrument.
struct market_data_snapshot {
  std::uint64_t seq_num = 0;
  std::string_view md_req_id;              // 262, optional
  std::string_view symbol;                 // 55, required
  std::string_view security_exchange;      // 207, required
  std::optional<std::int64_t> last_price;  // 270 of the entry with 269=2, if any
};
decode_result decode(const message& m, market_data_snapshot& out);

// MarketDataRequestReject (35=Y).
struct market_data_request_reject {
  std::uint64_t seq_num = 0;
  std::string_view md_req_id;             // 262, required
  std::optional<char> md_req_rej_reason;  // 281
  std::string_view text;                  // 58
};
decode_result decode(const message& m, market_data_request_reject& out);

// NewOrderSingle (35=D) body, written in the order section 5 lists.
struct new_order_single {
  std::string_view cl_ord_id;
  std::string_view account;
  std::string_view symbol;
  std::string_view security_exchange;
  std::string_view product;
  char side = '1';  // 1 buy, 2 sell
  std::int64_t order_qty = 0;
  char ord_type = '1';                // 1 market, 2 limit
  std::optional<std::int64_t> price;  // required for limit, forbidden for market
  char time_in_force = '0';           // 0 day
  utc_timestamp transact_time{};
};

// OrderCancelRequest (35=F) body.
struct order_cancel_request {
  std::string_view orig_cl_ord_id;
  std::string_view cl_ord_id;
  std::string_view order_id;  // omitted when empty (not yet known)
  std::string_view account;
  std::string_view symbol;
  std::string_view security_exchange;
  char side = '1';
  std::int64_t order_qty = 0;
  utc_timestamp transact_time{};
};

struct instrument_ref {
  std::string_view symbol;
  std::string_view security_exchange;
};

// MarketDataRequest (35=V): subscribe to the last traded price (269=2), depth 1.
struct market_data_request {
  std::string_view md_req_id;
  std::span<const instrument_ref> instruments;
};

// Body writers: call after writer::begin() with the matching MsgType, then finish().
// They return false, writing nothing, when the struct breaks section 5's rules
// (e.g. a limit order without a price, a non-positive quantity).
[[nodiscard]] bool encode_body(writer& w, const new_order_single& m);
[[nodiscard]] bool encode_body(writer& w, const order_cancel_request& m);
[[nodiscard]] bool encode_body(writer& w, const market_data_request& m);

}  // namespace irra::fix
