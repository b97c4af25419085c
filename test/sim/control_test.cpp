// The health/control port: the main site's health, and the FIX faults IRRA must survive.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sim_fixture.hpp"

using namespace irra::sim::test;
using namespace std::chrono_literals;
namespace fix = irra::fix;

namespace {

bool has_event(fix_client& c, fix::session_event e) {
  return std::find(c.events().begin(), c.events().end(), e) != c.events().end();
}

struct fault_sessions {
  running_sim sim;
  fix_client oe{sim.fix_port(), "EXCH-OE"};
  fix_client dc{sim.fix_port(), "EXCH-DC", "IRRA", 1s};
  int orders = 0;
  fault_sessions() {
    REQUIRE(oe.logon());
    REQUIRE(dc.logon());
  }
  // A market order of one share: "new" then one fill, on both sessions.
  void order() {
    REQUIRE(oe.send(reliance_order("F" + std::to_string(++orders), '1', 1, std::nullopt)));
  }
  int post(const std::string& target) { return http_call(sim.http_port(), "POST", target).status; }
  // The drop copy holds exactly the order-entry reports, in order, each once.
  void check_same_reports() {
    REQUIRE(oe.wait_for([&] { return oe.reports().size() == 2u * orders; }));
    REQUIRE(dc.wait_for([&] { return dc.reports().size() >= oe.reports().size(); }));
    dc.wait_for([] { return false; }, 100ms);
    const auto a = oe.reports();
    const auto b = dc.reports();
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].exec_id == b[i].exec_id);
  }
};

}  // namespace

TEST_CASE("/health answers 200, or 503 while the main site is down", "[sim][control]") {
  running_sim sim;
  CHECK(http_call(sim.http_port(), "GET", "/health").status == 200);
  CHECK(http_call(sim.http_port(), "POST", "/control/main-site/down").status == 200);
  CHECK(http_call(sim.http_port(), "GET", "/health").status == 503);
  CHECK(http_call(sim.http_port(), "GET", "/health").status == 503);
  CHECK(http_call(sim.http_port(), "POST", "/control/main-site/up").status == 200);
  CHECK(http_call(sim.http_port(), "GET", "/health").status == 200);
  CHECK(http_call(sim.http_port(), "GET", "/control/main-site/down").status == 405);
  CHECK(http_call(sim.http_port(), "GET", "/nope").status == 404);
  CHECK(http_call(sim.http_port(), "POST", "/control/fix/disconnect?session=zz").status == 400);
}

TEST_CASE("skip-seq holds reports back until the initiator asks for them", "[sim][control]") {
  fault_sessions s;
  REQUIRE(s.post("/control/fix/skip-seq?session=dc&count=2") == 200);
  s.order();  // its two reports are numbered but not written
  REQUIRE(s.oe.wait_for([&] { return s.oe.reports().size() == 2; }));
  s.dc.wait_for([] { return false; }, 100ms);
  CHECK(s.dc.reports().empty());
  s.order();  // the gap shows
  s.check_same_reports();
  CHECK(has_event(s.dc, fix::session_event::sequence_gap));
  CHECK(has_event(s.dc, fix::session_event::resend_request_sent));
}

TEST_CASE("duplicate re-sends the last report with PossDupFlag and with PossResend",
          "[sim][control]") {
  fault_sessions s;
  s.order();
  s.check_same_reports();
  REQUIRE(s.post("/control/fix/duplicate?session=dc") == 200);
  // The PossDup copy is below the expected number: the session layer drops it. The
  // PossResend copy has a new number: it reaches the application, with the same ExecID.
  REQUIRE(s.dc.wait_for([&] { return s.dc.reports().size() == 3; }));
  REQUIRE(s.dc.wait_for([&] { return has_event(s.dc, fix::session_event::duplicate_ignored); }));
  const auto r = s.dc.reports();
  CHECK(r[2].poss_resend);
  CHECK(r[2].exec_id == r[1].exec_id);
}

TEST_CASE("garbage bytes are skipped and the session carries on", "[sim][control]") {
  fault_sessions s;
  REQUIRE(s.post("/control/fix/garbage?session=dc") == 200);
  s.order();
  s.check_same_reports();
  CHECK(has_event(s.dc, fix::session_event::garbled_message));
  CHECK(s.dc.logged_on());
}

TEST_CASE("a SequenceReset-Reset moves the numbering forward", "[sim][control]") {
  fault_sessions s;
  const auto before = s.dc.session().next_in_seq();
  REQUIRE(s.post("/control/fix/reset?session=dc&jump=5") == 200);
  REQUIRE(s.dc.wait_for([&] { return has_event(s.dc, fix::session_event::sequence_reset); }));
  CHECK(s.dc.session().next_in_seq() == before + 5);
  s.order();
  s.check_same_reports();
}

TEST_CASE("disconnect drops the connection and the numbering carries on after a reconnect",
          "[sim][control]") {
  fault_sessions s;
  REQUIRE(s.post("/control/fix/disconnect?session=dc") == 200);
  REQUIRE(s.dc.wait_for([&] { return !s.dc.connected(); }));
  s.order();
  REQUIRE(s.oe.wait_for([&] { return s.oe.reports().size() == 2; }));
  REQUIRE(s.dc.logon(false));
  s.check_same_reports();
}

TEST_CASE("half-open silences the connection until the initiator gives up and reconnects",
          "[sim][control]") {
  fault_sessions s;
  REQUIRE(s.post("/control/fix/half-open?session=dc&seconds=30") == 200);
  s.order();
  // HeartBtInt 1 s: the client's TestRequest goes unanswered and it disconnects.
  REQUIRE(s.dc.wait_for([&] { return !s.dc.connected(); }, 10s));
  CHECK(has_event(s.dc, fix::session_event::test_request_sent));
  REQUIRE(s.dc.logon(false));
  s.check_same_reports();
}

TEST_CASE("/control/state counts what was received and sent", "[sim][control]") {
  fault_sessions s;
  s.order();
  s.order();
  s.check_same_reports();
  const auto state =
      nlohmann::json::parse(http_call(s.sim.http_port(), "GET", "/control/state").body);
  CHECK(state.at("orders_received") == 2);
  CHECK(state.at("sessions").at("oe").at("app_messages_sent") == 4);
  CHECK(state.at("sessions").at("dc").at("app_messages_sent") == 4);
  CHECK(state.at("sessions").at("dc").at("logged_on") == true);
  CHECK(state.at("main_site") == "up");
}
