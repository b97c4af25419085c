// The exchange's side of IRRA's FIX dialect (interfaces.md section 5): body writers for
// the messages the exchange sends. src/fix has the decoders IRRA uses for the same
// structs, so a test can check that both sides agree. Call after writer::begin().
#pragma once

#include <cstdint>
#include <string_view>

#include "irra/fix/messages.hpp"
#include "irra/fix/writer.hpp"

namespace irra::sim {

// ExecutionReport (35=8) from the decoder's struct (seq_num, poss_dup, poss_resend unused).
[[nodiscard]] bool encode_execution_report(fix::writer& w, const fix::execution_report& r);
// OrderCancelReject (35=9).
[[nodiscard]] bool encode_cancel_reject(fix::writer& w, const fix::order_cancel_reject& r);
// MarketDataSnapshotFullRefresh (35=W) with one entry: 269=2 (trade), 270 = last price.
[[nodiscard]] bool encode_md_snapshot(fix::writer& w, std::string_view md_req_id,
                                      std::string_view symbol, std::string_view exchange,
                                      std::int64_t last_price);
// MarketDataRequestReject (35=Y); reason 0 = unknown symbol.
[[nodiscard]] bool encode_md_reject(fix::writer& w, std::string_view md_req_id, char reason,
                                    std::string_view text);

}  // namespace irra::sim
