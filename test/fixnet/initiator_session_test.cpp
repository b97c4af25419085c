// The initiator's transport against an in-process acceptor: logon, heartbeats,
// TestRequest, graceful stop, status.
#include <catch2/catch.hpp>

#include "initiator_fixture.hpp"

using namespace irra::fixnet;
using namespace irra::fixnet::test;
using namespace std::chrono_literals;
namespace tag = irra::fix::tag;

TEST_CASE("the initiator connects and logs on, and its status says so", "[fixnet][initiator]") {
  initiator_fixture f;
  f.start(f.options(30s));
  REQUIRE(f.wait_active());

  const auto logons = f.exch.of_type("A");
  REQUIRE(logons.size() == 1);
  CHECK(logons[0].seq() == 1);
  CHECK(logons[0].get(tag::heart_bt_int) == "30");
  CHECK(logons[0].get(tag::sender_comp_id) == "IRRA");
  CHECK(logons[0].get(tag::target_comp_id) == "EXCH");
  CHECK(f.handler.logons == 1);

  const initiator_status s = f.initiator->status();
  CHECK(s.name == "test");
  CHECK(to_string(s.phase) == "active");
  CHECK(s.connects == 1);
  CHECK(s.logons == 1);
  CHECK(s.disconnects == 0);
  CHECK(s.next_in_seq == 2);
  CHECK(s.next_out_seq == 2);
  CHECK(s.messages_out == 1);
  CHECK(s.messages_in == 1);
  CHECK(s.bytes_out == logons[0].raw.size());
  CHECK(s.bytes_in > 0);
}

TEST_CASE("the initiator sends heartbeats at a short HeartBtInt and stays up",
          "[fixnet][initiator]") {
  initiator_fixture f;
  f.exch.echo_heartbeats = true;  // the exchange's heartbeats keep our silence timer happy
  f.start(f.options(1s));
  REQUIRE(f.wait_active());
  run_for(f.io, 2600ms);

  const auto heartbeats = f.exch.of_type("0");
  CHECK(heartbeats.size() >= 2);
  CHECK(heartbeats.size() <= 4);
  for (const auto& h : heartbeats) CHECK(h.get(tag::test_req_id).empty());
  const auto s = f.initiator->status();
  CHECK(s.phase == initiator_phase::active);
  CHECK(s.test_requests_sent == 0);
  CHECK(s.disconnects == 0);
  CHECK(s.next_in_seq == 2 + heartbeats.size());
}

TEST_CASE("a silent exchange gets a TestRequest, and its Heartbeat keeps the session up",
          "[fixnet][initiator]") {
  initiator_fixture f;
  f.exch.echo_heartbeats = false;  // the exchange never speaks unasked
  f.start(f.options(1s));
  REQUIRE(f.wait_active());
  REQUIRE(run_until(
      f.io, [&] { return !f.exch.of_type("1").empty(); }, 3s));
  run_for(f.io, 300ms);

  const auto test_requests = f.exch.of_type("1");
  REQUIRE(!test_requests.empty());
  CHECK(!test_requests[0].get(tag::test_req_id).empty());
  CHECK(f.initiator->status().test_requests_sent >= 1);
  CHECK(f.initiator->status().phase == initiator_phase::active);
  CHECK(f.exch.connections == 1);
}

TEST_CASE("stop() logs out, waits for the reply and stops reconnecting", "[fixnet][initiator]") {
  std::vector<initiator_phase> phases;  // outlives the initiator
  initiator_fixture f;
  auto o = f.options(30s);
  o.on_phase = [&](initiator_phase p) { phases.push_back(p); };
  f.start(o);
  REQUIRE(f.wait_active());

  bool stopped = false;
  f.initiator->stop([&] { stopped = true; });
  REQUIRE(run_until(
      f.io, [&] { return stopped; }, 3s));

  const auto logouts = f.exch.of_type("5");
  REQUIRE(logouts.size() == 1);
  CHECK(logouts[0].seq() == 2);
  CHECK(f.handler.logouts.size() == 1);  // the exchange's confirmation reached the handler
  CHECK(f.initiator->status().phase == initiator_phase::stopped);
  REQUIRE(!phases.empty());
  CHECK(phases.front() == initiator_phase::connecting);
  CHECK(std::find(phases.begin(), phases.end(), initiator_phase::logout_sent) != phases.end());
  CHECK(phases.back() == initiator_phase::stopped);

  run_for(f.io, 300ms);
  CHECK(f.exch.connections == 1);  // no reconnect after stop
}

TEST_CASE("stop() gives up on an exchange that never answers the Logout", "[fixnet][initiator]") {
  initiator_fixture f;
  f.exch.silent_after_logon = true;
  auto o = f.options(30s);
  o.stop_timeout = 300ms;
  f.start(o);
  REQUIRE(f.wait_active());

  const auto t0 = std::chrono::steady_clock::now();
  bool stopped = false;
  f.initiator->stop([&] { stopped = true; });
  REQUIRE(run_until(
      f.io, [&] { return stopped; }, 3s));
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took >= 250ms);
  CHECK(took < 2s);
  CHECK(f.initiator->status().phase == initiator_phase::stopped);
  CHECK(f.initiator->status().last_error.find("Logout") != std::string::npos);
}

TEST_CASE("sequence numbers given to restore() are used and reported back", "[fixnet][initiator]") {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> saved;  // outlives the initiator
  initiator_fixture f;
  f.exch.next_out = 7;  // the exchange continues its day too
  auto o = f.options(30s);
  o.on_sequence_numbers = [&](std::uint64_t in, std::uint64_t out) { saved.emplace_back(in, out); };
  f.initiator = Initiator::create(net::make_strand(f.io), o, f.store, f.handler);
  f.initiator->restore(7, 12);
  f.initiator->start();
  REQUIRE(f.wait_active());

  CHECK(f.exch.of_type("A").at(0).seq() == 12);
  const auto s = f.initiator->status();
  CHECK(s.next_in_seq == 8);
  CHECK(s.next_out_seq == 13);
  REQUIRE(!saved.empty());
  CHECK(saved.back() == std::make_pair(std::uint64_t{8}, std::uint64_t{13}));
}

TEST_CASE("request_sequence_reset() logs on with ResetSeqNumFlag=Y at 1", "[fixnet][initiator]") {
  initiator_fixture f;
  f.exch.next_out = 40;
  f.initiator = Initiator::create(net::make_strand(f.io), f.options(30s), f.store, f.handler);
  f.initiator->restore(40, 50);
  f.initiator->request_sequence_reset();
  f.initiator->start();
  REQUIRE(f.wait_active());

  const auto logon = f.exch.of_type("A").at(0);
  CHECK(logon.seq() == 1);
  CHECK(logon.get(tag::reset_seq_num_flag) == "Y");
  CHECK(f.initiator->status().next_in_seq == 2);
  CHECK(f.initiator->status().next_out_seq == 2);
}

TEST_CASE("the status renders for irra ctl (JSON) and /metrics (Prometheus)",
          "[fixnet][initiator][status]") {
  initiator_fixture f;
  f.start(f.options(30s));
  REQUIRE(f.wait_active());
  f.exch.send_app("8", exec_report_body("E1"));
  REQUIRE(run_until(f.io, [&] { return f.handler.apps.size() == 1; }));

  const initiator_status s = f.initiator->status();
  const auto j = to_json(s);
  CHECK(j.at("phase") == "active");
  CHECK(j.at("next_in_seq") == 3);
  CHECK(j.at("app_messages_in") == 1);
  CHECK(j.at("events").at("sequence_gaps") == 0);

  std::string text;
  const initiator_status all[] = {s};
  render_prometheus(all, text);
  CHECK(text.find("irra_fix_session_active{session=\"test\"} 1\n") != std::string::npos);
  CHECK(text.find("irra_fix_application_messages_total{session=\"test\",direction=\"in\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE irra_fix_sequence_gaps_total counter\n") != std::string::npos);
  CHECK(text.find("irra_fix_next_seq{session=\"test\",direction=\"out\"} 2\n") !=
        std::string::npos);
}
