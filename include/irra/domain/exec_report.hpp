// An ExecutionReport (FIX 35=8, interfaces.md section 5) decoded into domain terms: no FIX
// tags, prices already in paise, the instrument as "EXCHANGE:SYMBOL". The FIX layer builds
// it; the Book applies it. A plain value type.
#pragma once

#include <optional>
#include <string>

#include "irra/domain/enums.hpp"
#include "irra/domain/money.hpp"
#include "irra/domain/timestamp.hpp"

namespace irra::domain {

struct ExecReport {
  std::string exec_id;         // ExecID (17), unique per exchange day
  std::string order_id;        // OrderID (37), the exchange's order id; may be empty on a reject
  std::string cl_ord_id;       // ClOrdID (11)
  std::string orig_cl_ord_id;  // OrigClOrdID (41), on the report of a cancel IRRA requested
  std::string ucc;             // Account (1)
  std::string instrument_id;   // SecurityExchange (207) + ":" + Symbol (55)
  Product product = Product::mis;                 // Product (5001)
  Side side = Side::buy;                          // Side (54)
  ExecType exec_type = ExecType::other;           // ExecType (150)
  OrderStatus ord_status = OrderStatus::pending;  // OrdStatus (39)
  Qty order_qty = 0;                              // OrderQty (38)
  OrderType ord_type = OrderType::limit;          // OrdType (40)
  Paise price = 0;                                // Price (44), 0 for market orders
  Qty last_qty = 0;                               // LastQty (32), trades only
  Paise last_px = 0;                              // LastPx (31), trades only
  Qty cum_qty = 0;                                // CumQty (14)
  Qty leaves_qty = 0;                             // LeavesQty (151)
  Paise avg_px = 0;                               // AvgPx (6)
  Timestamp transact_time = 0;                    // TransactTime (60)
  std::string text;                               // Text (58)
  std::optional<int> rej_reason;                  // OrdRejReason (103)
};

}  // namespace irra::domain
