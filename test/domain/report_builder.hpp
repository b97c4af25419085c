// Builders for execution reports as the exchange would send them, shared by the domain tests.
#pragma once

#include <string>

#include "irra/domain/exec_report.hpp"
#include "irra/domain/instrument.hpp"

namespace irra::domain::testing {

inline Instrument reliance() {
  Instrument i;
  i.instrument_id = "NSE:RELIANCE";
  i.exchange = "NSE";
  i.segment = Segment::eq;
  i.symbol = "RELIANCE";
  i.lot_size = 1;
  i.tick_size = 5;
  i.freeze_qty = 100000;
  i.lower_band = 220000;
  i.upper_band = 270000;
  i.prev_close = 245000;
  return i;
}

inline Instrument nifty_call() {
  Instrument i;
  i.instrument_id = "NSE:NIFTY24DEC24000CE";
  i.exchange = "NSE";
  i.segment = Segment::fo;
  i.symbol = "NIFTY24DEC24000CE";
  i.lot_size = 25;
  i.tick_size = 5;
  i.freeze_qty = 1800;
  i.lower_band = 5;
  i.upper_band = 60000;
  i.prev_close = 12000;
  return i;
}

// A report about order `order_id` of `ucc`; callers adjust what the case needs.
inline ExecReport report(std::string exec_id, std::string order_id, ExecType type,
                         OrderStatus status, Side side, Qty order_qty, std::string ucc = "UCC1",
                         std::string instrument_id = "NSE:RELIANCE") {
  ExecReport r;
  r.exec_id = std::move(exec_id);
  r.order_id = std::move(order_id);
  r.cl_ord_id = "C-" + r.order_id;
  r.ucc = std::move(ucc);
  r.instrument_id = std::move(instrument_id);
  r.product = Product::mis;
  r.side = side;
  r.exec_type = type;
  r.ord_status = status;
  r.order_qty = order_qty;
  r.ord_type = OrderType::limit;
  r.price = 245000;
  r.transact_time = 1'733'130'900'000'000;
  return r;
}

inline ExecReport fill(std::string exec_id, std::string order_id, Side side, Qty order_qty,
                       Qty last_qty, Paise last_px, Qty cum_qty, std::string ucc = "UCC1",
                       std::string instrument_id = "NSE:RELIANCE") {
  ExecReport r = report(std::move(exec_id), std::move(order_id), ExecType::trade,
                        cum_qty == order_qty ? OrderStatus::filled : OrderStatus::partially_filled,
                        side, order_qty, std::move(ucc), std::move(instrument_id));
  r.last_qty = last_qty;
  r.last_px = last_px;
  r.cum_qty = cum_qty;
  r.leaves_qty = order_qty - cum_qty;
  r.avg_px = last_px;
  return r;
}

}  // namespace irra::domain::testing
