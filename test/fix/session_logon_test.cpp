// FIX session-level test cases 1S (Logon) and 13 (Logout), written for the initiator.
#include "session_harness.hpp"

using namespace irra::fix;
using namespace irra::fix::test;
using namespace std::chrono_literals;

TEST_CASE("1S: initiator sends Logon and accepts the Logon response") {
  session_harness h;
  h.session.on_connected(h.now(), false);
  auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "A");
  CHECK(out[0].get(tag::sender_comp_id) == "IRRA");
  CHECK(out[0].get(tag::target_comp_id) == "EXCH");
  CHECK(out[0].seq() == 1);
  CHECK(out[0].get(tag::encrypt_method) == "0");
  CHECK(out[0].get(tag::heart_bt_int) == "30");
  CHECK_FALSE(out[0].has(tag::reset_seq_num_flag));
  CHECK(h.session.phase() == session_phase::logon_sent);
  CHECK(h.session.next_out_seq() == 2);

  h.feed(h.from_exch("A", 1, "98=0|108=30|"));
  CHECK(h.session.phase() == session_phase::active);
  CHECK(h.handler.logons == 1);
  CHECK(h.session.next_in_seq() == 2);
  CHECK(h.sent().empty());
}

TEST_CASE("1S: a new exchange day logs on with ResetSeqNumFlag and restarts both sequences") {
  session_harness h;
  h.session.restore(40, 75);
  h.store.save(70, "old");
  h.session.on_connected(h.now(), true);
  auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].seq() == 1);
  CHECK(out[0].get(tag::reset_seq_num_flag) == "Y");
  CHECK(h.store.size() == 0);
  h.feed(h.from_exch("A", 1, "98=0|108=30|141=Y|"));
  CHECK(h.session.phase() == session_phase::active);
  CHECK(h.session.next_in_seq() == 2);
  CHECK(h.session.next_out_seq() == 2);
}

TEST_CASE("1S: persisted sequence numbers continue after a reconnect") {
  session_harness h;
  h.session.restore(40, 75);
  h.session.on_connected(h.now(), false);
  CHECK(h.sent().at(0).seq() == 75);
  h.feed(h.from_exch("A", 40, "98=0|108=30|"));
  CHECK(h.session.phase() == session_phase::active);
  CHECK(h.session.next_in_seq() == 41);
  CHECK(h.session.next_out_seq() == 76);
}

TEST_CASE("1S: a first message that is not a Logon disconnects") {
  session_harness h;
  h.session.on_connected(h.now(), false);
  h.sent();
  h.feed(h.from_exch("0", 1));
  CHECK(h.session.disconnect_requested());
  CHECK(h.handler.logons == 0);
}

TEST_CASE("1S: Logon response with MsgSeqNum too low sends Logout and disconnects") {
  session_harness h;
  h.session.restore(10, 1);
  h.session.on_connected(h.now(), false);
  h.sent();
  h.feed(h.from_exch("A", 5, "98=0|108=30|"));
  const auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "5");
  CHECK(out[0].get(tag::text) == "MsgSeqNum too low, expecting 10 but received 5");
  CHECK(h.session.disconnect_requested());
}

TEST_CASE("1S: Logon response with MsgSeqNum too high logs on, then asks for the gap") {
  session_harness h;
  h.session.on_connected(h.now(), false);
  h.sent();
  h.feed(h.from_exch("A", 5, "98=0|108=30|"));
  CHECK(h.session.phase() == session_phase::active);
  const auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "2");
  CHECK(out[0].get(tag::begin_seq_no) == "1");
  CHECK(out[0].get(tag::end_seq_no) == "0");
  CHECK(h.session.next_in_seq() == 1);
  // The counterparty gap-fills over its admin messages, Logon included.
  h.feed(h.from_exch("4", 1, "123=Y|36=6|", dup()));
  CHECK(h.session.next_in_seq() == 6);
}

TEST_CASE("1S: no Logon response within the logon timeout disconnects") {
  session_harness h;
  h.session.on_connected(h.now(), false);
  h.advance(9s);
  CHECK_FALSE(h.session.disconnect_requested());
  CHECK(h.session.next_deadline() == h.steady + 1s);
  h.advance(1s);
  CHECK(h.session.disconnect_requested());
  CHECK(h.session.disconnect_reason() == "Logon timeout");
}

TEST_CASE("1S: a Logout in answer to the Logon disconnects with its reason") {
  session_harness h;
  h.session.on_connected(h.now(), false);
  h.feed(h.from_exch("5", 1, "58=unknown CompID|"));
  CHECK(h.session.disconnect_requested());
  CHECK(h.session.disconnect_reason() == "Logon refused: unknown CompID");
  REQUIRE(h.handler.logouts.size() == 1);
}

TEST_CASE("13: initiator Logout waits for the Logout reply, then disconnects") {
  session_harness h;
  h.log_on();
  h.session.logout("end of day", h.now());
  auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "5");
  CHECK(out[0].get(tag::text) == "end of day");
  CHECK(h.session.phase() == session_phase::logout_sent);
  CHECK_FALSE(h.session.disconnect_requested());
  h.feed(h.from_exch("5", 2));
  CHECK(h.session.disconnect_requested());
  CHECK(h.sent().empty());  // no Logout in answer to the answer
}

TEST_CASE("13: an unanswered Logout disconnects after the logout timeout") {
  session_harness h;
  h.log_on();
  h.session.logout("bye", h.now());
  h.advance(4s);
  CHECK_FALSE(h.session.disconnect_requested());
  h.advance(1s);
  CHECK(h.session.disconnect_requested());
  CHECK(h.session.disconnect_reason() == "Logout timeout");
}

TEST_CASE("13: a Logout from the counterparty is confirmed, then the session disconnects") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("5", 2, "58=maintenance|"));
  const auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "5");
  CHECK(h.session.disconnect_requested());
  REQUIRE(h.handler.logouts.size() == 1);
  CHECK(h.handler.logouts[0] == "maintenance");
  CHECK(h.session.next_in_seq() == 3);
}

TEST_CASE("sequence numbers are kept when the transport drops") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 2, "17=E1|"));
  h.session.on_disconnected();
  CHECK(h.session.phase() == session_phase::disconnected);
  CHECK(h.session.next_in_seq() == 3);
  CHECK(h.session.next_out_seq() == 2);
  h.session.on_connected(h.now(), false);
  CHECK(h.sent().at(0).seq() == 2);
}
