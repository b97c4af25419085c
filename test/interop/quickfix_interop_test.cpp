// IRRA's FIX initiator (fixnet::Initiator + fix::session_state) against an independent
// FIX engine: QuickFIX, playing the exchange in a child process (irra-quickfix-exchange).
// Every report is decoded with the project's decoder.
#include <boost/asio/strand.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "exchange_process.hpp"
#include "irra/fix/message_store.hpp"
#include "irra/fix/messages.hpp"
#include "irra/fixnet/initiator.hpp"

using namespace std::chrono_literals;
namespace net = boost::asio;
namespace fix = irra::fix;
using irra::fixnet::Initiator;
using irra::fixnet::initiator_options;
using irra::fixnet::initiator_phase;
using irra::interop::test::exchange_process;

namespace {

// An ExecutionReport, owning its strings.
struct report {
  std::uint64_t seq = 0;
  bool poss_dup = false;
  std::string exec_id, order_id, cl_ord_id, orig_cl_ord_id, symbol, text;
  char exec_type = 0;
  char ord_status = 0;
  std::int64_t order_qty = 0, cum_qty = 0, leaves_qty = 0, avg_px = 0;
  std::optional<std::int64_t> last_qty, last_px, price, ord_rej_reason;
};

struct cancel_reject {
  std::string cl_ord_id, orig_cl_ord_id, text;
  char cxl_rej_response_to = 0;
  std::optional<std::int64_t> cxl_rej_reason;
};

struct exchange_handler : fix::session_handler {
  void on_application(const fix::message& m, std::uint64_t seq) override {
    seqs.push_back(seq);
    if (m.msg_type() == fix::msg_type::execution_report) {
      fix::execution_report er;
      const auto r = fix::decode(m, er);
      if (!r.ok()) return decode_errors.push_back(r.describe());
      report out;
      out.seq = er.seq_num;
      out.poss_dup = er.poss_dup;
      out.exec_id = er.exec_id;
      out.order_id = er.order_id;
      out.cl_ord_id = er.cl_ord_id;
      out.orig_cl_ord_id = er.orig_cl_ord_id;
      out.symbol = er.symbol;
      out.text = er.text;
      out.exec_type = er.exec_type;
      out.ord_status = er.ord_status;
      out.order_qty = er.order_qty;
      out.cum_qty = er.cum_qty;
      out.leaves_qty = er.leaves_qty;
      out.avg_px = er.avg_px;
      out.last_qty = er.last_qty;
      out.last_px = er.last_px;
      out.price = er.price;
      out.ord_rej_reason = er.ord_rej_reason;
      reports.push_back(out);
    } else if (m.msg_type() == fix::msg_type::order_cancel_reject) {
      fix::order_cancel_reject cr;
      const auto r = fix::decode(m, cr);
      if (!r.ok()) return decode_errors.push_back(r.describe());
      cancel_rejects.push_back({std::string(cr.cl_ord_id), std::string(cr.orig_cl_ord_id),
                                std::string(cr.text), cr.cxl_rej_response_to, cr.cxl_rej_reason});
    } else {
      other.emplace_back(m.msg_type());
    }
  }
  void on_logout(std::string_view text) override { logouts.emplace_back(text); }

  std::vector<report> for_order(std::string_view cl_ord_id) const {
    std::vector<report> out;
    for (const auto& r : reports) {
      if (r.cl_ord_id == cl_ord_id || r.orig_cl_ord_id == cl_ord_id) out.push_back(r);
    }
    return out;
  }

  std::vector<std::uint64_t> seqs;
  std::vector<report> reports;
  std::vector<cancel_reject> cancel_rejects;
  std::vector<std::string> decode_errors;
  std::vector<std::string> other;
  std::vector<std::string> logouts;
};

bool run_until(net::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds timeout = 5s) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    io.run_one_for(5ms);
    if (io.stopped()) io.restart();
  }
  return true;
}

void run_for(net::io_context& io, std::chrono::milliseconds d) {
  run_until(
      io, [] { return false; }, d);
}

fix::utc_timestamp utc_now() {
  return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
}

struct interop_fixture {
  exchange_process exchange;
  net::io_context io;
  fix::memory_message_store store;
  exchange_handler handler;
  std::shared_ptr<Initiator> oe;

  initiator_options options(std::chrono::seconds heart_bt_int = 30s) {
    initiator_options o;
    o.name = "order_entry";
    o.host = "127.0.0.1";
    o.port = exchange.port();
    o.session.sender_comp_id = "IRRA";
    o.session.target_comp_id = "EXCH-OE";
    o.session.heart_bt_int = heart_bt_int;
    o.reconnect_min = 100ms;  // the child process may still be starting
    o.reconnect_max = 300ms;
    o.stop_timeout = 2s;
    return o;
  }

  void start(initiator_options o) {
    oe = Initiator::create(net::make_strand(io), std::move(o), store, handler);
    oe->start();
  }

  bool wait_active() {
    return run_until(
        io, [&] { return oe->status().phase == initiator_phase::active; }, 10s);
  }

  std::uint64_t send_order(std::string_view cl_ord_id, std::string_view symbol, char side,
                           std::int64_t qty, std::optional<std::int64_t> limit_price) {
    fix::new_order_single o;
    o.cl_ord_id = cl_ord_id;
    o.account = "UCC1";
    o.symbol = symbol;
    o.security_exchange = "NSE";
    o.product = "MIS";
    o.side = side;
    o.order_qty = qty;
    o.ord_type = limit_price ? '2' : '1';
    o.price = limit_price;
    o.transact_time = utc_now();
    return oe->send_application(fix::msg_type::new_order_single,
                                [&](fix::writer& w) { return fix::encode_body(w, o); });
  }

  std::uint64_t send_cancel(std::string_view cl_ord_id, std::string_view orig, char side,
                            std::int64_t qty) {
    fix::order_cancel_request c;
    c.orig_cl_ord_id = orig;
    c.cl_ord_id = cl_ord_id;
    c.account = "UCC1";
    c.symbol = "RELIANCE";
    c.security_exchange = "NSE";
    c.side = side;
    c.order_qty = qty;
    c.transact_time = utc_now();
    return oe->send_application(fix::msg_type::order_cancel_request,
                                [&](fix::writer& w) { return fix::encode_body(w, c); });
  }

  bool wait_reports(std::string_view cl_ord_id, std::size_t n) {
    return run_until(io, [&] { return handler.for_order(cl_ord_id).size() >= n; });
  }

  ~interop_fixture() {
    if (!oe) return;
    bool stopped = false;
    oe->stop([&] { stopped = true; });
    run_until(
        io, [&] { return stopped; }, 3s);
  }
};

}  // namespace

TEST_CASE("IRRA logs on to QuickFIX and keeps the session up with a short HeartBtInt",
          "[interop][quickfix]") {
  interop_fixture f;
  auto o = f.options(1s);
  // A TestRequest after 0.5 s of silence, which QuickFIX (heartbeating every second)
  // leaves us: its Heartbeat reply must keep the session up.
  o.session.test_request_grace = -500ms;
  f.start(o);
  REQUIRE(f.wait_active());
  run_for(f.io, 3500ms);

  const auto s = f.oe->status();
  CHECK(s.phase == initiator_phase::active);
  CHECK(s.disconnects == 0);
  CHECK(s.logons == 1);
  CHECK(s.test_requests_sent >= 1);
  CHECK(s.messages_in >= 4);   // Logon, QuickFIX's heartbeats and TestRequest answers
  CHECK(s.messages_out >= 4);  // Logon, our heartbeats and TestRequests
  CHECK(s.rejects_received == 0);
  CHECK(s.next_in_seq == s.messages_in + 1);
}

TEST_CASE("a NewOrderSingle is acknowledged and filled by QuickFIX", "[interop][quickfix]") {
  interop_fixture f;
  f.start(f.options());
  REQUIRE(f.wait_active());

  REQUIRE(f.send_order("C-1", "RELIANCE", '1', 10, std::nullopt) != 0);  // market buy
  REQUIRE(f.wait_reports("C-1", 2));
  CHECK(f.handler.decode_errors.empty());
  const auto r = f.handler.for_order("C-1");
  REQUIRE(r.size() == 2);
  CHECK(r[0].exec_type == '0');
  CHECK(r[0].ord_status == '0');
  CHECK(r[0].leaves_qty == 10);
  CHECK(r[1].exec_type == 'F');
  CHECK(r[1].ord_status == '2');
  CHECK(r[1].last_qty == 10);
  CHECK(r[1].last_px == 245000);  // the last price, 2450.00
  CHECK(r[1].cum_qty == 10);
  CHECK(r[1].leaves_qty == 0);
  CHECK(r[1].avg_px == 245000);
  CHECK(r[0].order_id == r[1].order_id);
  CHECK(r[0].exec_id != r[1].exec_id);

  // A sell limit below the last price crosses: filled at the last price, better than its limit.
  REQUIRE(f.send_order("C-2", "INFY", '2', 5, 150000) != 0);
  REQUIRE(f.wait_reports("C-2", 2));
  const auto r2 = f.handler.for_order("C-2");
  CHECK(r2[1].exec_type == 'F');
  CHECK(r2[1].last_px == 150050);
  CHECK(r2[0].price == 150000);
}

TEST_CASE("a resting order is cancelled by QuickFIX, a filled one is not", "[interop][quickfix]") {
  interop_fixture f;
  f.start(f.options());
  REQUIRE(f.wait_active());

  REQUIRE(f.send_order("C-10", "RELIANCE", '1', 7, 240000) != 0);  // below the last: rests
  REQUIRE(f.wait_reports("C-10", 1));
  run_for(f.io, 100ms);
  REQUIRE(f.handler.for_order("C-10").size() == 1);
  CHECK(f.handler.for_order("C-10")[0].exec_type == '0');

  REQUIRE(f.send_cancel("X-10", "C-10", '1', 7) != 0);
  REQUIRE(f.wait_reports("X-10", 1));
  const auto c = f.handler.for_order("X-10");
  REQUIRE(c.size() == 1);
  CHECK(c[0].exec_type == '4');
  CHECK(c[0].ord_status == '4');
  CHECK(c[0].orig_cl_ord_id == "C-10");
  CHECK(c[0].leaves_qty == 0);
  CHECK(c[0].order_id == f.handler.for_order("C-10")[0].order_id);

  REQUIRE(f.send_order("C-11", "RELIANCE", '1', 1, std::nullopt) != 0);  // fills at once
  REQUIRE(f.wait_reports("C-11", 2));
  REQUIRE(f.send_cancel("X-11", "C-11", '1', 1) != 0);
  REQUIRE(run_until(f.io, [&] { return !f.handler.cancel_rejects.empty(); }));
  CHECK(f.handler.cancel_rejects[0].orig_cl_ord_id == "C-11");
  CHECK(f.handler.cancel_rejects[0].cxl_rej_response_to == '1');
  CHECK(f.handler.cancel_rejects[0].cxl_rej_reason == 0);  // too late to cancel
}

TEST_CASE("QuickFIX rejects a zero quantity and an unknown symbol with Text and OrdRejReason",
          "[interop][quickfix]") {
  interop_fixture f;
  f.start(f.options());
  REQUIRE(f.wait_active());

  // IRRA's encoder refuses a zero quantity, so this body is written by hand.
  const auto seq = f.oe->send_application(fix::msg_type::new_order_single, [](fix::writer& w) {
    w.field(fix::tag::cl_ord_id, "C-20")
        .field(fix::tag::account, "UCC1")
        .field(fix::tag::symbol, "RELIANCE")
        .field(fix::tag::security_exchange, "NSE")
        .field(fix::tag::product, "MIS")
        .field_char(fix::tag::side, '1')
        .field_int(fix::tag::order_qty, 0)
        .field_char(fix::tag::ord_type, '1')
        .field_char(fix::tag::time_in_force, '0')
        .field_time(fix::tag::transact_time, utc_now());
    return true;
  });
  REQUIRE(seq != 0);
  REQUIRE(f.send_order("C-21", "NOSUCH", '1', 10, std::nullopt) != 0);
  REQUIRE(f.wait_reports("C-21", 1));
  REQUIRE(f.wait_reports("C-20", 1));
  CHECK(f.handler.decode_errors.empty());

  const auto zero = f.handler.for_order("C-20").at(0);
  CHECK(zero.exec_type == '8');
  CHECK(zero.ord_status == '8');
  CHECK(zero.ord_rej_reason == 13);
  CHECK(zero.text.find("quantity") != std::string::npos);
  const auto unknown = f.handler.for_order("C-21").at(0);
  CHECK(unknown.exec_type == '8');
  CHECK(unknown.ord_rej_reason == 1);
  CHECK(unknown.text == "unknown symbol NOSUCH");
}

TEST_CASE("a sequence gap from QuickFIX is recovered by ResendRequest, once and in order",
          "[interop][quickfix]") {
  interop_fixture f;
  f.start(f.options());
  REQUIRE(f.wait_active());

  // QuickFIX numbers the New report but does not send it; the Trade shows the gap.
  REQUIRE(f.send_order("GAP-1", "TCS", '1', 3, std::nullopt) != 0);
  REQUIRE(f.wait_reports("GAP-1", 2));
  run_for(f.io, 300ms);  // the re-sent Trade (PossDupFlag=Y) would show up now if doubled

  const auto r = f.handler.for_order("GAP-1");
  REQUIRE(r.size() == 2);
  CHECK(r[0].exec_type == '0');
  CHECK(r[0].poss_dup);  // it came through the resend
  CHECK(r[1].exec_type == 'F');
  CHECK(r[0].seq + 1 == r[1].seq);
  const std::vector<std::uint64_t> expected{r[0].seq, r[1].seq};
  CHECK(f.handler.seqs == expected);
  const auto s = f.oe->status();
  CHECK(s.sequence_gaps >= 1);
  CHECK(s.resend_requests_sent == 1);
  CHECK(s.phase == initiator_phase::active);

  // The session goes on normally afterwards.
  REQUIRE(f.send_order("C-30", "TCS", '1', 1, std::nullopt) != 0);
  REQUIRE(f.wait_reports("C-30", 2));
  CHECK(f.handler.for_order("C-30")[0].seq == r[1].seq + 1);
}

TEST_CASE("IRRA answers QuickFIX's ResendRequest and the order is not executed twice",
          "[interop][quickfix]") {
  interop_fixture f;
  f.start(f.options());
  REQUIRE(f.wait_active());

  // QuickFIX forgets receiving this order; our next message makes it ask for it again.
  REQUIRE(f.send_order("RESEND-1", "RELIANCE", '1', 2, std::nullopt) != 0);
  REQUIRE(f.wait_reports("RESEND-1", 2));
  REQUIRE(f.send_order("C-40", "RELIANCE", '1', 4, std::nullopt) != 0);
  REQUIRE(f.wait_reports("C-40", 2));
  run_for(f.io, 300ms);

  CHECK(f.oe->status().resend_requests_answered >= 1);
  CHECK(f.handler.for_order("RESEND-1").size() == 2);  // one New, one Trade: not re-executed
  CHECK(f.handler.for_order("C-40").size() == 2);
  CHECK(f.oe->status().phase == initiator_phase::active);
  CHECK(f.oe->status().rejects_received == 0);
}

TEST_CASE("stop() logs out of QuickFIX cleanly", "[interop][quickfix]") {
  interop_fixture f;
  f.start(f.options());
  REQUIRE(f.wait_active());

  bool stopped = false;
  const auto t0 = std::chrono::steady_clock::now();
  f.oe->stop([&] { stopped = true; });
  REQUIRE(run_until(
      f.io, [&] { return stopped; }, 3s));
  CHECK(std::chrono::steady_clock::now() - t0 < 1500ms);  // QuickFIX answered, no timeout
  CHECK(f.handler.logouts.size() == 1);                   // QuickFIX's confirmation
  CHECK(f.oe->status().phase == initiator_phase::stopped);
  CHECK(f.oe->status().last_error == "logged out");
}

TEST_CASE("the drop copy session carries the same reports as order entry", "[interop][quickfix]") {
  fix::memory_message_store dc_store;  // outlive the io_context's pending handlers
  exchange_handler dc_handler;
  interop_fixture f;
  auto dc_options = f.options();
  dc_options.name = "drop_copy";
  dc_options.session.target_comp_id = "EXCH-DC";
  auto dc = Initiator::create(net::make_strand(f.io), dc_options, dc_store, dc_handler);
  dc->start();
  f.start(f.options());
  REQUIRE(f.wait_active());
  REQUIRE(run_until(
      f.io, [&] { return dc->status().phase == initiator_phase::active; }, 10s));

  REQUIRE(f.send_order("C-50", "RELIANCE", '2', 3, std::nullopt) != 0);
  REQUIRE(f.wait_reports("C-50", 2));
  REQUIRE(run_until(f.io, [&] { return dc_handler.for_order("C-50").size() == 2; }));
  const auto oe_reports = f.handler.for_order("C-50");
  const auto dc_reports = dc_handler.for_order("C-50");
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(oe_reports[i].exec_id == dc_reports[i].exec_id);  // applied once, whichever first
    CHECK(oe_reports[i].exec_type == dc_reports[i].exec_type);
  }
  CHECK(dc->status().app_messages_out == 0);

  bool stopped = false;
  dc->stop([&] { stopped = true; });
  REQUIRE(run_until(
      f.io, [&] { return stopped; }, 3s));
}

TEST_CASE("after losing outbound sequence numbers IRRA recovers from QuickFIX's Logon refusal",
          "[interop][quickfix]") {
  interop_fixture f;
  f.start(f.options());
  REQUIRE(f.wait_active());
  bool stopped = false;
  f.oe->stop([&] { stopped = true; });
  REQUIRE(run_until(
      f.io, [&] { return stopped; }, 3s));
  const auto before = f.oe->status();
  REQUIRE(before.next_out_seq == 3);  // Logon, Logout

  // A restart that persisted next_out_seq before those admin messages went out.
  f.oe = Initiator::create(net::make_strand(f.io), f.options(), f.store, f.handler);
  f.oe->restore(before.next_in_seq, 1);
  f.oe->start();
  REQUIRE(f.wait_active());
  const auto s = f.oe->status();
  CHECK(s.disconnects == 1);  // the refused Logon
  CHECK(s.logons == 1);
  CHECK(s.last_error.find("MsgSeqNum too low") != std::string::npos);

  REQUIRE(f.send_order("C-60", "RELIANCE", '1', 1, std::nullopt) != 0);
  REQUIRE(f.wait_reports("C-60", 2));
  CHECK(f.oe->status().phase == initiator_phase::active);
  CHECK(f.oe->status().rejects_received == 0);
}
