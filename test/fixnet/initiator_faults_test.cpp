// FIX faults the transport must survive on its own: half-open peers, peers that close,
// refused connections, garbage bytes, sequence gaps.
#include <catch2/catch.hpp>

#include "initiator_fixture.hpp"

using namespace irra::fixnet;
using namespace irra::fixnet::test;
using namespace std::chrono_literals;
namespace tag = irra::fix::tag;

TEST_CASE("a half-open exchange is found by TestRequest, dropped, and the session comes back",
          "[fixnet][initiator][faults]") {
  initiator_fixture f;
  f.exch.silent_after_logon = true;  // first connection: logs on, then neither reads nor writes
  f.start(f.options(1s));
  REQUIRE(f.wait_active());
  f.exch.silent_after_logon = false;  // the next connection behaves

  // Silence 1.2 s -> TestRequest; no answer by 2.4 s -> disconnect; then reconnect.
  REQUIRE(run_until(
      f.io, [&] { return f.initiator->status().disconnects == 1; }, 4s));
  const auto s = f.initiator->status();
  CHECK(s.test_requests_sent >= 1);
  CHECK(s.last_error.find("TestRequest") != std::string::npos);

  REQUIRE(run_until(
      f.io, [&] { return f.exch.connections == 2; }, 2s));
  REQUIRE(f.wait_active(2s));
  CHECK(f.handler.logons == 2);
  // Sequence numbers carry on across the reconnect (same exchange day).
  CHECK(f.exch.of_type("A").back().seq() > 1);
}

TEST_CASE("the initiator reconnects with growing delays when the exchange keeps closing",
          "[fixnet][initiator][faults]") {
  initiator_fixture f;
  f.exch.close_after_logon = true;  // a disconnect storm
  auto o = f.options(30s);
  o.reconnect_min = 50ms;
  o.reconnect_max = 400ms;
  f.start(o);
  REQUIRE(run_until(
      f.io, [&] { return f.exch.connections >= 5; }, 5s));

  const auto& at = f.exch.accepted_at;
  // Delays are min*2^k with jitter in [base/2, base], floored at min: 50, 50-100, 100-200...
  const auto gap = [&](std::size_t i) { return at[i] - at[i - 1]; };
  CHECK(gap(1) >= 45ms);
  CHECK(gap(3) >= 95ms);
  CHECK(gap(4) >= 195ms);
  CHECK(gap(4) <= 600ms);
  const auto s = f.initiator->status();
  CHECK(s.disconnects >= 4);
  CHECK(s.logons >= 4);

  f.exch.close_after_logon = false;  // the storm ends: the session settles
  REQUIRE(run_until(
      f.io, [&] { return f.exch.connected() && f.phase() == initiator_phase::active; }, 2s));
  const int settled = f.exch.connections;
  run_for(f.io, 200ms);
  CHECK(f.phase() == initiator_phase::active);
  CHECK(f.exch.connections == settled);
}

TEST_CASE("a refused connection is retried with backoff until the exchange is there",
          "[fixnet][initiator][faults]") {
  initiator_fixture f;
  // A port nobody listens on: bind one, note it, close it.
  std::uint16_t dead_port = 0;
  {
    tcp::acceptor a(f.io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    dead_port = a.local_endpoint().port();
  }
  auto o = f.options(30s);
  o.port = dead_port;
  f.start(o);
  REQUIRE(run_until(
      f.io, [&] { return f.initiator->status().connect_failures >= 3; }, 3s));
  const auto s = f.initiator->status();
  CHECK(s.connects == 0);
  CHECK(s.phase != initiator_phase::active);
  CHECK(s.last_error.find("connect") != std::string::npos);
}

TEST_CASE("garbage bytes from the exchange do not break the session",
          "[fixnet][initiator][faults]") {
  initiator_fixture f;
  f.start(f.options(30s));
  REQUIRE(f.wait_active());

  f.exch.send_app("8", exec_report_body("E1"));
  f.exch.send_raw("garbage\x01 that is not FIX at all");
  f.exch.send_raw(
      "8=FIX.4.4\x01"
      "9=5\x01"
      "35=0\x01"
      "10=000\x01");  // bad checksum
  f.exch.send_app("8", exec_report_body("E2"));
  REQUIRE(run_until(f.io, [&] { return f.handler.apps.size() == 2; }));

  CHECK(f.handler.app_seqs() == std::vector<std::uint64_t>{2, 3});
  const auto s = f.initiator->status();
  CHECK(s.garbled >= 1);
  CHECK(s.phase == initiator_phase::active);
  CHECK(s.disconnects == 0);
  CHECK(s.app_messages_in == 2);
  CHECK(f.exch.of_type("2").empty());  // garbled messages consume no sequence number
}

TEST_CASE("a sequence gap triggers one ResendRequest and the messages arrive once, in order",
          "[fixnet][initiator][faults]") {
  initiator_fixture f;
  f.start(f.options(30s));
  REQUIRE(f.wait_active());

  f.exch.send_app("8", exec_report_body("E2"));  // seq 2
  f.exch.skip_app("8", exec_report_body("E3"));  // seq 3: lost on the way
  f.exch.skip_app("8", exec_report_body("E4"));  // seq 4: lost
  f.exch.send_app("8", exec_report_body("E5"));  // seq 5: the gap shows
  f.exch.send_app("8", exec_report_body("E6"));  // seq 6
  REQUIRE(run_until(f.io, [&] { return f.handler.apps.size() >= 5; }));
  run_for(f.io, 100ms);  // anything doubled would show up now

  CHECK(f.handler.app_seqs() == std::vector<std::uint64_t>{2, 3, 4, 5, 6});
  const auto resend_requests = f.exch.of_type("2");
  REQUIRE(resend_requests.size() == 1);
  CHECK(resend_requests[0].get(tag::begin_seq_no) == "3");
  const auto s = f.initiator->status();
  CHECK(s.sequence_gaps >= 1);
  CHECK(s.resend_requests_sent == 1);
  CHECK(s.next_in_seq == 7);
  CHECK(s.phase == initiator_phase::active);
}

TEST_CASE("messages resent after a reconnect are delivered once", "[fixnet][initiator][faults]") {
  initiator_fixture f;
  f.start(f.options(30s));
  REQUIRE(f.wait_active());
  f.exch.send_app("8", exec_report_body("E2"));
  REQUIRE(run_until(f.io, [&] { return f.handler.apps.size() == 1; }));

  // The exchange drops the line; two reports are "sent" while we are away.
  f.exch.close();
  f.exch.skip_app("8", exec_report_body("E3"));
  f.exch.skip_app("8", exec_report_body("E4"));
  REQUIRE(run_until(f.io, [&] { return f.exch.connections == 2 && f.handler.apps.size() >= 3; }));
  run_for(f.io, 100ms);

  CHECK(f.handler.app_seqs() == std::vector<std::uint64_t>{2, 3, 4});
  CHECK(f.initiator->status().resend_requests_sent == 1);
}

TEST_CASE("an exchange that never answers the Logon is dropped at the logon timeout",
          "[fixnet][initiator][faults]") {
  initiator_fixture f;
  f.exch.answer_logon = false;
  auto o = f.options(30s);
  o.session.logon_timeout = 1s;
  f.start(o);
  REQUIRE(run_until(
      f.io, [&] { return f.initiator->status().disconnects >= 1; }, 3s));
  CHECK(f.initiator->status().last_error.find("Logon") != std::string::npos);
  CHECK(f.handler.logons == 0);
}

TEST_CASE("a Logon refused as 'MsgSeqNum too low' is retried with the number expected",
          "[fixnet][initiator][faults]") {
  initiator_fixture f;
  // After a crash the persisted next_out_seq (3) missed heartbeats that went out: the
  // exchange has seen up to 6.
  f.exch.expect_logon_seq = 7;
  f.initiator = Initiator::create(net::make_strand(f.io), f.options(30s), f.store, f.handler);
  f.initiator->restore(1, 3);
  f.initiator->start();
  REQUIRE(f.wait_active());

  const auto logons = f.exch.of_type("A");
  REQUIRE(logons.size() == 2);
  CHECK(logons[0].seq() == 3);
  CHECK(logons[1].seq() == 7);
  // Numbering goes on from there: the refusing Logout's own number is asked for again.
  REQUIRE(run_until(f.io, [&] { return !f.exch.of_type("2").empty(); }));
  CHECK(f.exch.of_type("2").at(0).seq() == 8);
  CHECK(f.initiator->status().disconnects == 1);
}
