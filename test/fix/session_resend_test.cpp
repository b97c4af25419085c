// FIX session-level test case 8 (ResendRequest from the counterparty), for the initiator,
// and application messages going out.
#include "irra/fix/messages.hpp"
#include "session_harness.hpp"

using namespace irra::fix;
using namespace irra::fix::test;
using namespace std::chrono_literals;

namespace {

std::uint64_t send_order(session_harness& h, std::string_view cl_ord_id) {
  new_order_single nos{cl_ord_id, "UCC1", "TCS", "NSE", "CNC", '1', 5, '1', {}, '0', h.utc};
  return h.session.send_application(msg_type::new_order_single, h.now(),
                                    [&](writer& w) { return encode_body(w, nos); });
}

}  // namespace

TEST_CASE("application messages are numbered, stored and sent only when logged on") {
  session_harness h;
  CHECK(send_order(h, "C0") == 0);
  h.log_on();
  CHECK(send_order(h, "C1") == 2);
  CHECK(h.session.send_application("D", h.now(), [](writer&) { return false; }) == 0);
  CHECK(send_order(h, "C2") == 3);
  const auto out = h.sent();
  REQUIRE(out.size() == 2);
  CHECK(out[0].get(tag::cl_ord_id) == "C1");
  CHECK(out[1].seq() == 3);
  CHECK(h.store.size() == 2);
  CHECK(h.session.next_out_seq() == 4);
}

TEST_CASE(
    "8: ResendRequest is answered with stored messages marked PossDup and GapFill over admin") {
  session_harness h;
  h.log_on();  // our Logon was 1
  const auto first_sent = h.utc;
  send_order(h, "C2");  // 2
  h.advance(30s);       // heartbeat 3
  h.feed(h.from_exch("0", 2));
  send_order(h, "C4");  // 4
  h.advance(30s);       // heartbeat 5
  h.feed(h.from_exch("0", 3));
  h.sent();

  h.feed(h.from_exch("2", 4, "7=1|16=0|"));
  const auto out = h.sent();
  REQUIRE(out.size() == 5);
  // 1: GapFill over the Logon
  CHECK(out[0].type() == "4");
  CHECK(out[0].seq() == 1);
  CHECK(out[0].get(tag::gap_fill_flag) == "Y");
  CHECK(out[0].get(tag::new_seq_no) == "2");
  CHECK(out[0].get(tag::poss_dup_flag) == "Y");
  // 2: the order again, same number and body, PossDup with the first SendingTime
  CHECK(out[1].type() == "D");
  CHECK(out[1].seq() == 2);
  CHECK(out[1].get(tag::cl_ord_id) == "C2");
  CHECK(out[1].get(tag::poss_dup_flag) == "Y");
  std::string first;
  append_utc_timestamp(first, first_sent);
  CHECK(out[1].get(tag::orig_sending_time) == first);
  CHECK(out[1].get(tag::sending_time) != first);
  CHECK(out[1].get(tag::side) == "1");
  // 3: GapFill over a heartbeat, 4: the second order, 5: GapFill up to the next number
  CHECK(out[2].type() == "4");
  CHECK(out[2].get(tag::new_seq_no) == "4");
  CHECK(out[3].get(tag::cl_ord_id) == "C4");
  CHECK(out[4].type() == "4");
  CHECK(out[4].seq() == 5);
  CHECK(out[4].get(tag::new_seq_no) == "6");
  CHECK(h.session.next_out_seq() == 6);  // re-sending uses no new numbers
  CHECK(h.session.next_in_seq() == 5);
}

TEST_CASE("8: a ResendRequest for a closed range is answered within it") {
  session_harness h;
  h.log_on();
  send_order(h, "C2");
  send_order(h, "C3");
  send_order(h, "C4");
  h.sent();
  h.feed(h.from_exch("2", 2, "7=3|16=3|"));
  const auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].get(tag::cl_ord_id) == "C3");
}

TEST_CASE("8: a ResendRequest beyond what was sent sends nothing") {
  session_harness h;
  h.log_on();
  h.feed(h.from_exch("2", 2, "7=9|16=0|"));
  CHECK(h.sent().empty());
  CHECK(h.session.next_in_seq() == 3);
}

TEST_CASE("8: a ResendRequest with a too-high number is answered before asking for our gap") {
  session_harness h;
  h.log_on();
  send_order(h, "C2");
  h.sent();
  h.feed(h.from_exch("2", 5, "7=2|16=0|"));
  const auto out = h.sent();
  REQUIRE(out.size() == 2);
  CHECK(out[0].get(tag::cl_ord_id) == "C2");
  CHECK(out[1].type() == "2");
  CHECK(out[1].get(tag::begin_seq_no) == "2");
}

TEST_CASE("8: a message the store declines to return is gap-filled") {
  session_harness h;
  h.log_on();
  send_order(h, "C2");
  send_order(h, "C3");
  h.store.reset();  // e.g. orders too old to be worth re-sending
  h.sent();
  h.feed(h.from_exch("2", 2, "7=2|16=0|"));
  const auto out = h.sent();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type() == "4");
  CHECK(out[0].seq() == 2);
  CHECK(out[0].get(tag::new_seq_no) == "4");
}
