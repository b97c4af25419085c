// Compiled as C++14 (see quickfix_bridge.hpp); uses only QuickFIX and the standard library.
#include "quickfix_bridge.hpp"

#include <quickfix/Message.h>
#include <quickfix/fix44/ExecutionReport.h>
#include <quickfix/fix44/MarketDataSnapshotFullRefresh.h>
#include <quickfix/fix44/SequenceReset.h>

namespace irra {
namespace fix {
namespace quickfix_bridge {
namespace {

// 2024-03-15 09:15:30.123 UTC
FIX::UtcTimeStamp when() {
  return FIX::UtcTimeStamp(9, 15, 30, 123, 15, 3, 2024);
}

void header(FIX::Message& m, int seq) {
  auto& h = m.getHeader();
  h.setField(FIX::SenderCompID("EXCH-DC"));
  h.setField(FIX::TargetCompID("IRRA"));
  h.setField(FIX::MsgSeqNum(seq));
  h.setField(FIX::SendingTime(when()));
}

}  // namespace

std::string execution_report_trade() {
  FIX44::ExecutionReport er(FIX::OrderID("NSE-77"), FIX::ExecID("EX-9"), FIX::ExecType('F'),
                            FIX::OrdStatus('1'), FIX::Side('2'), FIX::LeavesQty(60),
                            FIX::CumQty(40), FIX::AvgPx(2450.05));
  header(er, 12);
  er.set(FIX::ClOrdID("MAIN-1"));
  er.set(FIX::Account("UCC00123"));
  er.set(FIX::Symbol("RELIANCE"));
  er.set(FIX::SecurityExchange("NSE"));
  er.setField(5001, "MIS");
  er.set(FIX::OrderQty(100));
  er.set(FIX::OrdType('2'));
  er.set(FIX::Price(2450.1));
  er.set(FIX::LastQty(40));
  er.set(FIX::LastPx(2450.05));
  er.set(FIX::TimeInForce('0'));
  er.set(FIX::TransactTime(when()));
  return er.toString();
}

std::string market_data_snapshot() {
  FIX44::MarketDataSnapshotFullRefresh w;
  header(w, 13);
  w.set(FIX::MDReqID("MD-1"));
  w.set(FIX::Symbol("TCS"));
  w.set(FIX::SecurityExchange("NSE"));
  FIX44::MarketDataSnapshotFullRefresh::NoMDEntries entry;
  entry.set(FIX::MDEntryType('2'));
  entry.set(FIX::MDEntryPx(3500.25));
  w.addGroup(entry);
  return w.toString();
}

std::string sequence_reset_gap_fill() {
  FIX44::SequenceReset r(FIX::NewSeqNo(20));
  header(r, 14);
  r.getHeader().setField(FIX::PossDupFlag(true));
  r.set(FIX::GapFillFlag(true));
  return r.toString();
}

bool accepts(const std::string& raw, std::string& error) {
  try {
    FIX::Message m(raw, true);
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

std::string field(const std::string& raw, int tag) {
  FIX::Message m(raw, false);
  if (m.getHeader().isSetField(tag)) return m.getHeader().getField(tag);
  if (m.isSetField(tag)) return m.getField(tag);
  return "";
}

}  // namespace quickfix_bridge
}  // namespace fix
}  // namespace irra
