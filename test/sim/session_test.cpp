// The acceptor's session layer, driven by the project's own initiator.
#include <catch2/catch.hpp>

#include "irra/fix/tags.hpp"
#include "sim_fixture.hpp"

using namespace irra::sim::test;
using namespace std::chrono_literals;
namespace fix = irra::fix;

TEST_CASE("each of the three sessions accepts a Logon on the one acceptor port", "[sim][session]") {
  running_sim sim;
  for (const char* target : {"EXCH-DC", "EXCH-OE", "EXCH-MD"}) {
    INFO(target);
    fix_client c(sim.fix_port(), target, "IRRA", 7s);
    REQUIRE(c.logon());
    CHECK(c.session().next_in_seq() == 2);  // the Logon answer was number 1
  }
}

TEST_CASE("any SenderCompID is accepted and answered as TargetCompID", "[sim][session]") {
  running_sim sim;
  fix_client c(sim.fix_port(), "EXCH-OE", "SOME-BROKER");
  REQUIRE(c.logon());  // session_state checks the CompIDs of every answer
}

TEST_CASE("a Logon for an unknown TargetCompID is refused with a Logout", "[sim][session]") {
  running_sim sim;
  fix_client c(sim.fix_port(), "EXCH-XX");
  CHECK_FALSE(c.logon(true, 2s));
  CHECK_FALSE(c.logged_on());
}

TEST_CASE("the numbering survives a reconnect and a ResendRequest replays what was missed",
          "[sim][session]") {
  running_sim sim;
  fix_client oe(sim.fix_port(), "EXCH-OE");
  REQUIRE(oe.logon());
  std::uint64_t dc_next_in = 0;
  std::uint64_t dc_next_out = 0;
  {
    fix_client dc(sim.fix_port(), "EXCH-DC");
    REQUIRE(dc.logon());
    REQUIRE(oe.send(reliance_order("A1", '1', 5, std::nullopt)));
    REQUIRE(dc.wait_for(
        [&] { return !dc.reports().empty() && dc.reports().back().ord_status == '2'; }));
    dc_next_in = dc.session().next_in_seq();
    dc_next_out = dc.session().next_out_seq();
  }  // the drop copy is gone (as if IRRA was killed)
  REQUIRE(oe.send(reliance_order("A2", '2', 3, std::nullopt)));
  REQUIRE(oe.wait_for([&] {
    const auto r = oe.reports();
    return !r.empty() && r.back().cl_ord_id == "A2" && r.back().ord_status == '2';
  }));
  const auto oe_reports = oe.reports();

  fix_client dc(sim.fix_port(), "EXCH-DC");
  dc.restore(dc_next_in, dc_next_out);
  REQUIRE(dc.logon(false));
  REQUIRE(dc.wait_for([&] {
    const auto r = dc.reports();
    return !r.empty() && r.back().cl_ord_id == "A2" && r.back().ord_status == '2';
  }));
  // What was missed came again, replayed (PossDupFlag=Y) with the ExecIDs of order entry.
  const auto replayed = dc.reports();
  std::vector<std::string> a2_oe, a2_dc;
  for (const auto& r : oe_reports) {
    if (r.cl_ord_id == "A2") a2_oe.emplace_back(r.exec_id);
  }
  for (const auto& r : replayed) {
    CHECK(r.poss_dup);
    a2_dc.emplace_back(r.exec_id);
  }
  CHECK(a2_dc == a2_oe);
  CHECK(std::find(dc.events().begin(), dc.events().end(), fix::session_event::sequence_gap) !=
        dc.events().end());
}

TEST_CASE("a Logon with ResetSeqNumFlag starts both directions again at 1", "[sim][session]") {
  running_sim sim;
  fix_client oe(sim.fix_port(), "EXCH-OE");
  REQUIRE(oe.logon());
  REQUIRE(oe.send(reliance_order("R1", '1', 1, std::nullopt)));
  REQUIRE(oe.wait_for([&] { return oe.reports().size() >= 2; }));
  oe.disconnect();
  fix_client again(sim.fix_port(), "EXCH-OE");
  REQUIRE(again.logon(true));
  CHECK(again.session().next_in_seq() == 2);
  CHECK(again.received().empty());
}

TEST_CASE("a malformed message in sequence gets a session-level Reject", "[sim][session]") {
  running_sim sim;
  fix_client oe(sim.fix_port(), "EXCH-OE");
  REQUIRE(oe.logon());
  // A NewOrderSingle without ClOrdID, built by hand with the next sequence number.
  std::string raw;
  fix::writer w(raw);
  w.begin("D", "IRRA", "EXCH-OE", oe.session().next_out_seq(),
          std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now()));
  w.field(1, "C000001").field(55, "RELIANCE").field(207, "NSE").field(5001, "CNC");
  w.field(54, "1").field(38, "1").field(40, "1");
  REQUIRE(w.finish());
  oe.send_raw(raw);
  REQUIRE(oe.wait_for([&] {
    return std::find(oe.events().begin(), oe.events().end(), fix::session_event::reject_received) !=
           oe.events().end();
  }));
  CHECK(oe.reports().empty());
}

TEST_CASE("the acceptor answers a TestRequest and keeps the session alive", "[sim][session]") {
  running_sim sim;
  // HeartBtInt 1 s: the client's own TestRequest logic runs against the acceptor.
  fix_client md(sim.fix_port(), "EXCH-MD", "IRRA", 1s);
  REQUIRE(md.logon());
  md.wait_for([] { return false; }, 3500ms);
  CHECK(md.logged_on());
  CHECK(md.session().next_in_seq() >= 3);  // heartbeats arrived
}
