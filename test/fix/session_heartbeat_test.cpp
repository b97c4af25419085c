// FIX session-level test cases 4 (heartbeats) and 6 (TestRequest), for the initiator.
#include "session_harness.hpp"

using namespace irra::fix;
using namespace irra::fix::test;
using namespace std::chrono_literals;

TEST_CASE("4a: a Heartbeat is sent after HeartBtInt without sending anything") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("0", 2));  // keep the line from looking silent
  h.advance(29s);
  CHECK(h.sent().empty());
  h.advance(1s);
  const auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "0");
  CHECK_FALSE(out[0].has(tag::test_req_id));
  CHECK(out[0].seq() == 2);
}

TEST_CASE("4a: sending an application message postpones the Heartbeat") {
  session_harness h;
  h.log_on();
  h.advance(20s);
  h.feed(h.from_exch("0", 2));
  const auto seq = h.session.send_application("D", h.now(), [](writer& w) {
    w.field(tag::cl_ord_id, "C1");
    return true;
  });
  CHECK(seq == 2);
  h.sent();
  h.advance(29s);
  CHECK(h.sent().empty());
  h.advance(1s);
  CHECK(h.sent().size() == 1);
}

TEST_CASE("4b: TestRequest after HeartBtInt plus grace of silence, disconnect if unanswered") {
  session_harness h;
  h.log_on();
  h.advance(30s);
  auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "0");  // our own heartbeat first
  h.advance(5s);
  CHECK(h.sent().empty());
  h.advance(1s);  // 36 s of silence = 30 + 6 grace
  out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "1");
  CHECK(out[0].get(tag::test_req_id) == "TEST-1");
  CHECK(h.handler.count(session_event::test_request_sent) == 1);
  h.advance(35s);
  CHECK_FALSE(h.session.disconnect_requested());
  h.advance(1s);  // 72 s of silence
  CHECK(h.session.disconnect_requested());
  CHECK(h.session.disconnect_reason() == "no response to TestRequest");
}

TEST_CASE("4b: the Heartbeat answering our TestRequest keeps the session up") {
  session_harness h;
  h.log_on();
  h.advance(36s);
  const auto out = h.sent();
  REQUIRE(out.back().type() == "1");
  h.feed(h.from_exch("0", 2, "112=" + out.back().get(tag::test_req_id) + "|"));
  h.advance(35s);  // under the 36 s that would call for another TestRequest
  CHECK_FALSE(h.session.disconnect_requested());
  CHECK(h.handler.count(session_event::test_request_sent) == 1);
  h.advance(37s);  // silent again: a fresh TestRequest, not a disconnect
  CHECK_FALSE(h.session.disconnect_requested());
  CHECK(h.handler.count(session_event::test_request_sent) == 2);
}

TEST_CASE("4b: next_deadline says when the timer has work") {
  session_harness h;
  h.log_on();
  CHECK(h.session.next_deadline() == h.steady + 30s);
  h.advance(30s);                                     // heartbeat sent
  CHECK(h.session.next_deadline() == h.steady + 6s);  // TestRequest due at 36 s of silence
}

TEST_CASE("6: a TestRequest from the counterparty is answered with Heartbeat(112)") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("1", 2, "112=PING-7|"));
  const auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "0");
  CHECK(out[0].get(tag::test_req_id) == "PING-7");
  CHECK(h.session.next_in_seq() == 3);
}
