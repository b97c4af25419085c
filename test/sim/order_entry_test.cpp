// Order entry: IRRA's orders and cancels, checked and answered as the exchange would.
#include <catch2/catch.hpp>
#include <numeric>

#include "sim_fixture.hpp"

using namespace irra::sim::test;
using namespace std::chrono_literals;
namespace fix = irra::fix;

namespace {

// Reports of one ClOrdID (or of the cancel whose OrigClOrdID it is) on a session.
std::vector<fix::execution_report> of(const fix_client& c, std::string_view cl_ord_id) {
  std::vector<fix::execution_report> out;
  for (const auto& r : c.reports()) {
    if (r.cl_ord_id == cl_ord_id || r.orig_cl_ord_id == cl_ord_id) out.push_back(r);
  }
  return out;
}

bool final_report(const fix_client& c, std::string_view cl_ord_id) {
  const auto r = of(c, cl_ord_id);
  return !r.empty() &&
         (r.back().ord_status == '2' || r.back().ord_status == '4' || r.back().ord_status == '8');
}

struct order_sessions {
  running_sim sim;
  fix_client oe{sim.fix_port(), "EXCH-OE"};
  fix_client dc{sim.fix_port(), "EXCH-DC"};
  order_sessions() {
    REQUIRE(oe.logon());
    REQUIRE(dc.logon());
  }
};

constexpr std::int64_t prev_close = 245050;  // RELIANCE, paise

}  // namespace

TEST_CASE("a market order is accepted, then filled at the last price", "[sim][order]") {
  order_sessions s;
  REQUIRE(s.oe.send(reliance_order("M1", '1', 9, std::nullopt)));
  REQUIRE(s.oe.wait_for([&] { return final_report(s.oe, "M1"); }));
  const auto r = of(s.oe, "M1");
  REQUIRE(r.size() >= 2);
  CHECK(r.front().exec_type == '0');
  CHECK(r.front().ord_status == '0');
  std::int64_t filled = 0;
  for (std::size_t i = 1; i < r.size(); ++i) {
    CHECK(r[i].exec_type == 'F');
    REQUIRE(r[i].last_px);
    CHECK(*r[i].last_px == prev_close);
    filled += r[i].last_qty.value_or(0);
    CHECK(r[i].cum_qty == filled);
    CHECK(r[i].leaves_qty == 9 - filled);
  }
  CHECK(filled == 9);
  CHECK(r.back().ord_status == '2');
  CHECK(r.back().avg_px == prev_close);
  CHECK(r.front().order_id == r.back().order_id);
  CHECK(r.front().account == "C000001");
  CHECK(r.front().product == "CNC");
}

TEST_CASE("a limit order that crosses the last price fills at the last price, not its limit",
          "[sim][order]") {
  order_sessions s;
  REQUIRE(s.oe.send(reliance_order("L1", '1', 4, prev_close + 500)));
  REQUIRE(s.oe.send(reliance_order("L2", '2', 4, prev_close - 500)));
  REQUIRE(s.oe.wait_for([&] { return final_report(s.oe, "L1") && final_report(s.oe, "L2"); }));
  for (const char* id : {"L1", "L2"}) {
    for (const auto& r : of(s.oe, id)) {
      if (r.exec_type == 'F') CHECK(*r.last_px == prev_close);
    }
    CHECK(of(s.oe, id).back().ord_status == '2');
  }
}

TEST_CASE("a resting limit order fills when the price reaches it", "[sim][order]") {
  order_sessions s;
  REQUIRE(s.oe.send(reliance_order("R1", '1', 2, prev_close - 1000)));
  REQUIRE(s.oe.wait_for([&] { return !of(s.oe, "R1").empty(); }));
  s.oe.wait_for([] { return false; }, 200ms);
  REQUIRE(of(s.oe, "R1").size() == 1);  // only "new": it rests
  CHECK(of(s.oe, "R1").front().leaves_qty == 2);
  REQUIRE(
      http_call(s.sim.http_port(), "POST", "/control/price?instrument=NSE:RELIANCE&price=2440.00")
          .status == 200);
  REQUIRE(s.oe.wait_for([&] { return final_report(s.oe, "R1"); }));
  for (const auto& r : of(s.oe, "R1")) {
    if (r.exec_type == 'F') CHECK(*r.last_px == 244000);  // better than its limit 2440.50
  }
}

TEST_CASE("orders breaking the exchange's rules are rejected with Text and OrdRejReason",
          "[sim][order]") {
  order_sessions s;
  struct rule {
    std::string cl_ord_id;
    fix::new_order_single order;
    std::int64_t reason;
  };
  std::vector<rule> rules;
  auto unknown_account = reliance_order("X1", '1', 1, std::nullopt);
  unknown_account.account = "C999999";
  rules.push_back({"X1", unknown_account, 15});
  auto unknown_symbol = reliance_order("X2", '1', 1, std::nullopt);
  unknown_symbol.symbol = "NOSUCH";
  rules.push_back({"X2", unknown_symbol, 1});
  rules.push_back({"X3", reliance_order("X3", '1', 1, prev_close + 3), 18});     // off tick
  rules.push_back({"X4", reliance_order("X4", '1', 1, 269560), 16});             // above the band
  rules.push_back({"X5", reliance_order("X5", '1', 100001, std::nullopt), 13});  // above freeze
  auto odd_lot = reliance_order("X6", '1', 30, std::nullopt);
  odd_lot.symbol = "NIFTY24DEC24000CE";
  odd_lot.product = "NRML";
  rules.push_back({"X6", odd_lot, 13});  // FO: not a multiple of the lot (25)
  auto frozen = odd_lot;
  frozen.cl_ord_id = "X7";
  frozen.order_qty = 1825;  // 73 lots, above the freeze quantity 1800
  rules.push_back({"X7", frozen, 13});
  for (auto& r : rules) {
    r.order.cl_ord_id = r.cl_ord_id;
    REQUIRE(s.oe.send(r.order));
  }
  REQUIRE(s.oe.send(reliance_order("OK1", '1', 1, std::nullopt)));
  REQUIRE(s.oe.send(reliance_order("OK1", '1', 1, std::nullopt)));  // duplicate ClOrdID
  REQUIRE(s.oe.wait_for([&] { return of(s.oe, "OK1").size() >= 3 && final_report(s.oe, "X7"); }));
  s.oe.wait_for([] { return false; }, 200ms);
  for (const auto& r : rules) {
    INFO(r.cl_ord_id);
    const auto reports = of(s.oe, r.cl_ord_id);
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].exec_type == '8');
    CHECK(reports[0].ord_status == '8');
    CHECK(reports[0].ord_rej_reason == r.reason);
    CHECK_FALSE(reports[0].text.empty());
  }
  const auto ok = of(s.oe, "OK1");
  const auto dup = std::count_if(ok.begin(), ok.end(), [](const auto& r) {
    return r.exec_type == '8' && r.ord_rej_reason == 6 && r.text == "duplicate ClOrdID";
  });
  CHECK(dup == 1);
  // The duplicate did not touch the first order: it still filled completely.
  std::int64_t filled = 0;
  for (const auto& r : ok) filled += r.exec_type == 'F' ? *r.last_qty : 0;
  CHECK(filled == 1);
  const auto state = http_call(s.sim.http_port(), "GET", "/control/state?positions=0");
  CHECK(state.body.find("\"duplicate_cl_ord_ids\":1") != std::string::npos);
}

TEST_CASE("every order-entry report is also on the drop copy with the same ExecID",
          "[sim][order]") {
  order_sessions s;
  REQUIRE(s.oe.send(reliance_order("D1", '1', 7, std::nullopt)));
  REQUIRE(s.oe.send(reliance_order("D2", '1', 1, prev_close + 1)));  // rejected: off tick
  REQUIRE(s.oe.wait_for([&] { return final_report(s.oe, "D1") && final_report(s.oe, "D2"); }));
  REQUIRE(s.dc.wait_for([&] { return s.dc.reports().size() == s.oe.reports().size(); }));
  const auto oe = s.oe.reports();
  const auto dc = s.dc.reports();
  for (std::size_t i = 0; i < oe.size(); ++i) {
    CHECK(oe[i].exec_id == dc[i].exec_id);
    CHECK(oe[i].order_id == dc[i].order_id);
    CHECK(oe[i].exec_type == dc[i].exec_type);
    CHECK(oe[i].last_qty == dc[i].last_qty);
  }
}

TEST_CASE("a cancel of an open order is confirmed with the cancel's and the order's ClOrdID",
          "[sim][order]") {
  order_sessions s;
  REQUIRE(s.oe.send(reliance_order("C1", '2', 5, prev_close + 2000)));  // rests
  REQUIRE(s.oe.wait_for([&] { return !of(s.oe, "C1").empty(); }));
  const std::string order_id(of(s.oe, "C1").front().order_id);
  fix::order_cancel_request cancel;
  cancel.orig_cl_ord_id = "C1";
  cancel.cl_ord_id = "C1-X";
  cancel.account = "C000001";
  cancel.symbol = "RELIANCE";
  cancel.security_exchange = "NSE";
  cancel.side = '2';
  cancel.order_qty = 5;
  cancel.transact_time =
      std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
  REQUIRE(s.oe.send(cancel));
  REQUIRE(s.oe.wait_for([&] { return final_report(s.oe, "C1"); }));
  const auto last = of(s.oe, "C1").back();
  CHECK(last.exec_type == '4');
  CHECK(last.ord_status == '4');
  CHECK(last.cl_ord_id == "C1-X");
  CHECK(last.orig_cl_ord_id == "C1");
  CHECK(last.order_id == order_id);
  CHECK(last.leaves_qty == 0);
  REQUIRE(s.dc.wait_for([&] { return final_report(s.dc, "C1"); }));
  CHECK(of(s.dc, "C1").back().exec_id == last.exec_id);

  SECTION("cancelling it again, or an unknown order, gets an OrderCancelReject") {
    cancel.cl_ord_id = "C1-Y";
    REQUIRE(s.oe.send(cancel));
    cancel.cl_ord_id = "C1-Z";
    cancel.orig_cl_ord_id = "NOPE";
    REQUIRE(s.oe.send(cancel));
    REQUIRE(s.oe.wait_for([&] { return s.oe.count_type("9") == 2; }));
    fix::message m;
    std::vector<fix::order_cancel_reject> rejects;
    std::vector<std::string> raws(s.oe.received().begin(), s.oe.received().end());
    for (const auto& raw : raws) {
      if (!m.parse(raw) || m.msg_type() != "9") continue;
      fix::order_cancel_reject r;
      REQUIRE(fix::decode(m, r).ok());
      rejects.push_back(r);
    }
    REQUIRE(rejects.size() == 2);
    CHECK(rejects[0].cl_ord_id == "C1-Y");
    CHECK(rejects[0].orig_cl_ord_id == "C1");
    CHECK(rejects[0].order_id == order_id);
    CHECK(rejects[0].ord_status == '4');
    CHECK(rejects[0].cxl_rej_response_to == '1');
    CHECK(rejects[0].cxl_rej_reason == 0);
    CHECK(rejects[1].cl_ord_id == "C1-Z");
    CHECK(rejects[1].cxl_rej_reason == 1);
  }
}
