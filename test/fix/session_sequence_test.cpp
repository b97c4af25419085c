// FIX session-level test cases 2 (MsgSeqNum and header checks), 3 (malformed messages),
// 10 (SequenceReset-GapFill) and 11 (SequenceReset-Reset), written for the initiator.
#include "session_harness.hpp"

using namespace irra::fix;
using namespace irra::fix::test;
using namespace std::chrono_literals;

TEST_CASE("2a: in-sequence application messages are handed up in order with their MsgSeqNum") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 2, "17=E2|") + h.from_exch("8", 3, "17=E3|"));
  REQUIRE(h.handler.app_seqs() == std::vector<std::uint64_t>{2, 3});
  message m;
  REQUIRE(m.parse(h.handler.apps[1].raw));
  CHECK(m.get(tag::exec_id) == "E3");
  CHECK(h.session.next_in_seq() == 4);
}

TEST_CASE("2a: bytes arriving in pieces are handled once the message is complete") {
  session_harness h;
  h.log_on();
  const std::string msg = h.from_exch("8", 2, "17=E2|");
  std::string buffer;
  for (char c : msg) {
    buffer += c;
    const std::size_t used = h.session.on_bytes(buffer, h.now());
    buffer.erase(0, used);
  }
  CHECK(buffer.empty());
  CHECK(h.handler.app_seqs() == std::vector<std::uint64_t>{2});
}

TEST_CASE("2b: MsgSeqNum higher than expected sends one ResendRequest and applies in order") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 2, "17=E2|"));
  h.feed(h.from_exch("8", 5, "17=E5|"));
  auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "2");
  CHECK(out[0].get(tag::begin_seq_no) == "3");
  CHECK(out[0].get(tag::end_seq_no) == "0");
  CHECK(h.handler.count(session_event::sequence_gap) == 1);
  CHECK(h.session.next_in_seq() == 3);

  h.feed(h.from_exch("8", 6, "17=E6|"));  // still inside the requested range
  CHECK(h.sent().empty());
  CHECK(h.handler.app_seqs() == std::vector<std::uint64_t>{2});

  // The counterparty re-sends 3..6; 5 and 6 were already queued.
  h.feed(h.from_exch("8", 3, "17=E3|", dup(5s)));
  h.feed(h.from_exch("0", 4));
  CHECK(h.handler.app_seqs() == std::vector<std::uint64_t>{2, 3, 5, 6});
  CHECK(h.session.next_in_seq() == 7);
  h.feed(h.from_exch("8", 5, "17=E5|", dup(5s)));
  h.feed(h.from_exch("8", 6, "17=E6|", dup(5s)));
  CHECK(h.handler.app_seqs() == std::vector<std::uint64_t>{2, 3, 5, 6});
  CHECK(h.handler.count(session_event::duplicate_ignored) == 2);

  // A later gap is a new one, with its own ResendRequest.
  h.feed(h.from_exch("8", 9, "17=E9|"));
  out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].get(tag::begin_seq_no) == "7");
}

TEST_CASE("2c: MsgSeqNum lower than expected without PossDupFlag sends Logout and disconnects") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 2, "17=E2|"));
  h.feed(h.from_exch("8", 2, "17=E2|"));
  const auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "5");
  CHECK(out[0].get(tag::text) == "MsgSeqNum too low, expecting 3 but received 2");
  CHECK(h.session.disconnect_requested());
  CHECK(h.handler.app_seqs() == std::vector<std::uint64_t>{2});
}

TEST_CASE("2d: garbled message ignored") {
  session_harness h;
  h.log_on();
  std::string bad = h.from_exch("8", 2, "17=E2|");
  bad[bad.size() - 3] = bad[bad.size() - 3] == '9' ? '8' : '9';  // break the CheckSum
  h.feed("noise" + bad + h.from_exch("8", 2, "17=E2b|"));
  CHECK(h.sent().empty());  // no Reject for a garbled message
  CHECK(h.handler.count(session_event::garbled_message) == 2);
  CHECK(h.handler.app_seqs() == std::vector<std::uint64_t>{2});
  CHECK(h.session.next_in_seq() == 3);
}

TEST_CASE("2e: PossDupFlag=Y below the expected MsgSeqNum is ignored") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 2, "17=E2|"));
  h.feed(h.from_exch("8", 2, "17=E2|", dup(1s)));
  CHECK(h.sent().empty());
  CHECK_FALSE(h.session.disconnect_requested());
  CHECK(h.handler.app_seqs() == std::vector<std::uint64_t>{2});
}

TEST_CASE("2f: PossDupFlag=Y with OrigSendingTime after SendingTime is rejected, then Logout") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 2, "17=E2|", dup(-5s)));
  const auto out = h.sent();
  REQUIRE(out.size() == 2);
  CHECK(out[0].type() == "3");
  CHECK(out[0].get(tag::ref_seq_num) == "2");
  CHECK(out[0].get(tag::ref_tag_id) == "122");
  CHECK(out[0].get(tag::session_reject_reason) == "10");
  CHECK(out[1].type() == "5");
  CHECK(h.session.disconnect_requested());
  CHECK(h.handler.apps.empty());
}

TEST_CASE("2g: PossDupFlag=Y without OrigSendingTime is rejected and consumes the number") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 2, "17=E2|", dup()));
  const auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "3");
  CHECK(out[0].get(tag::ref_tag_id) == "122");
  CHECK(out[0].get(tag::session_reject_reason) == "1");
  CHECK(out[0].get(tag::ref_msg_type) == "8");
  CHECK(h.session.next_in_seq() == 3);
  CHECK(h.handler.apps.empty());
}

TEST_CASE("2k: a wrong CompID is rejected with reason 9, then Logout") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 2, "17=E2|", sent_by("OTHER")));
  const auto out = h.sent();
  REQUIRE(out.size() == 2);
  CHECK(out[0].type() == "3");
  CHECK(out[0].get(tag::ref_tag_id) == "49");
  CHECK(out[0].get(tag::session_reject_reason) == "9");
  CHECK(out[1].type() == "5");
  CHECK(h.session.disconnect_requested());
}

TEST_CASE("2m: SendingTime far from our clock is rejected with reason 10, then Logout") {
  session_harness h;
  h.log_on();
  const std::string msg = h.from_exch("8", 2, "17=E2|");
  h.utc += 121s;  // the message arrives (by our clock) long after it says it was sent
  h.feed(msg);
  const auto out = h.sent();
  REQUIRE(out.size() == 2);
  CHECK(out[0].get(tag::session_reject_reason) == "10");
  CHECK(out[0].get(tag::ref_tag_id) == "52");
  CHECK(h.session.disconnect_requested());
}

TEST_CASE("2q: a message without MsgSeqNum sends Logout and disconnects") {
  session_harness h;
  h.log_on();
  h.feed(make_fix("35=8|49=EXCH|56=IRRA|52=20240315-03:45:00.000|17=E|"));
  const auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "5");
  CHECK(h.session.disconnect_requested());
}

TEST_CASE("3b: a message with a duplicate tag is rejected with reason 13 and its number used") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 2, "17=E2|55=A|55=B|") + h.from_exch("8", 3, "17=E3|"));
  const auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "3");
  CHECK(out[0].get(tag::ref_seq_num) == "2");
  CHECK(out[0].get(tag::ref_tag_id) == "55");
  CHECK(out[0].get(tag::ref_msg_type) == "8");
  CHECK(out[0].get(tag::session_reject_reason) == "13");
  CHECK(h.handler.app_seqs() == std::vector<std::uint64_t>{3});
  CHECK(h.session.next_in_seq() == 4);
}

TEST_CASE("3c: a malformed tag or an empty value is rejected with reasons 0 and 4") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 2, "17=E2|5x=A|"));
  h.feed(h.from_exch("8", 3, "17=E3|58=|"));
  const auto out = h.sent();
  REQUIRE(out.size() == 2);
  CHECK(out[0].get(tag::session_reject_reason) == "0");
  CHECK_FALSE(out[0].has(tag::ref_tag_id));
  CHECK(out[1].get(tag::session_reject_reason) == "4");
  CHECK(out[1].get(tag::ref_tag_id) == "58");
  CHECK(h.handler.apps.empty());
  CHECK(h.session.next_in_seq() == 4);
}

TEST_CASE("3: a Reject from the counterparty is noted and consumes its number") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("3", 2, "45=1|373=5|58=bad|"));
  CHECK(h.handler.count(session_event::reject_received) == 1);
  CHECK(h.session.next_in_seq() == 3);
  CHECK(h.sent().empty());
}

TEST_CASE("10: SequenceReset-GapFill moves the expected MsgSeqNum forward") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 7, "17=E7|"));  // gap 2..6
  h.sent();
  h.feed(h.from_exch("4", 2, "123=Y|36=7|", dup(1s)));
  CHECK(h.handler.app_seqs() == std::vector<std::uint64_t>{7});
  CHECK(h.session.next_in_seq() == 8);
  CHECK(h.sent().empty());
}

TEST_CASE("10: a GapFill whose NewSeqNo is not above its MsgSeqNum is rejected with reason 5") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("4", 2, "123=Y|36=2|"));
  const auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].get(tag::session_reject_reason) == "5");
  CHECK(out[0].get(tag::ref_tag_id) == "36");
  CHECK(h.session.next_in_seq() == 3);
}

TEST_CASE("10: a GapFill below the expected number with PossDupFlag is ignored") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 2, "17=E2|"));
  h.feed(h.from_exch("4", 1, "123=Y|36=3|", dup()));
  CHECK(h.sent().empty());
  CHECK(h.session.next_in_seq() == 3);
  CHECK_FALSE(h.session.disconnect_requested());
}

TEST_CASE("11: SequenceReset-Reset sets the expected number whatever its own MsgSeqNum") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("4", 99, "36=20|"));
  CHECK(h.sent().empty());  // no ResendRequest despite 99 > 2
  CHECK(h.session.next_in_seq() == 20);
  h.feed(h.from_exch("8", 20, "17=E20|"));
  CHECK(h.handler.app_seqs() == std::vector<std::uint64_t>{20});
}

TEST_CASE("11: SequenceReset-Reset releases messages queued behind a gap") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 10, "17=E10|"));
  h.sent();
  h.feed(h.from_exch("4", 3, "36=10|"));
  CHECK(h.handler.app_seqs() == std::vector<std::uint64_t>{10});
  CHECK(h.session.next_in_seq() == 11);
}

TEST_CASE("11: SequenceReset-Reset that would lower the number is rejected with reason 5") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 2, "17=E2|") + h.from_exch("8", 3, "17=E3|"));
  h.feed(h.from_exch("4", 4, "36=2|"));
  const auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "3");
  CHECK(out[0].get(tag::session_reject_reason) == "5");
  CHECK(h.session.next_in_seq() == 4);
}

TEST_CASE("messages queued behind a gap are bounded") {
  session_harness h;
  auto cfg = session_harness::config();
  cfg.max_queued_messages = 2;
  session_state s(cfg, h.store, h.handler);
  s.on_connected(h.now(), false);
  s.on_bytes(h.from_exch("A", 1, "98=0|108=30|"), h.now());
  for (std::uint64_t seq = 5; seq < 10; ++seq) s.on_bytes(h.from_exch("8", seq, "17=E|"), h.now());
  // 2..4 come back as a GapFill: only 5 and 6 were kept, 7..9 must be re-sent.
  s.on_bytes(h.from_exch("4", 2, "123=Y|36=5|"), h.now());
  CHECK(h.handler.app_seqs() == std::vector<std::uint64_t>{5, 6});
  CHECK(s.next_in_seq() == 7);
}

TEST_CASE("2b: a ResendRequest that brings nothing is sent again after 2 x HeartBtInt") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 5, "17=E5|"));
  CHECK(h.sent().size() == 1);
  h.feed(h.from_exch("0", 6));
  h.advance(59s);
  for (const auto& m : h.sent()) CHECK(m.type() != "2");
  h.feed(h.from_exch("0", 7));
  h.advance(1s);
  std::size_t resend_requests = 0;
  for (const auto& m : h.sent()) {
    if (m.type() == "2") {
      ++resend_requests;
      CHECK(m.get(tag::begin_seq_no) == "2");
    }
  }
  CHECK(resend_requests == 1);
}

TEST_CASE("2b: a resend making progress is not requested again") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("8", 9, "17=E9|"));
  h.sent();
  h.advance(59s);
  h.feed(h.from_exch("8", 2, "17=E2|", dup(60s)));
  h.advance(1s);
  h.feed(h.from_exch("0", 10));
  for (const auto& m : h.sent()) CHECK(m.type() != "2");
  CHECK(h.handler.app_seqs() == std::vector<std::uint64_t>{2});
}
