#pragma once
// A narrow bridge to QuickFIX (the independent engine the exchange side may run), for
// interoperability tests. QuickFIX 1.15's headers only compile as C++14, so the bridge is
// a separate C++14 translation unit exchanging plain std::string values.

#include <string>

namespace irra {
namespace fix {
namespace quickfix_bridge {

// Messages built by QuickFIX's own FIX44 classes, as it would put them on the wire.
std::string execution_report_trade();   // 35=8, a partial fill with Product 5001
std::string market_data_snapshot();     // 35=W with NoMDEntries
std::string sequence_reset_gap_fill();  // 35=4, 123=Y, 43=Y

// Whether QuickFIX accepts `raw` (BodyLength, CheckSum, field syntax); on failure
// `error` says why.
bool accepts(const std::string& raw, std::string& error);
// A header or body field of `raw` as QuickFIX reads it ("" when absent).
std::string field(const std::string& raw, int tag);

}  // namespace quickfix_bridge
}  // namespace fix
}  // namespace irra
