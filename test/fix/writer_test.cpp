#include "irra/fix/writer.hpp"

#include <catch2/catch.hpp>

#include "fix_test_util.hpp"
#include "irra/fix/message.hpp"
#include "irra/fix/parser.hpp"

using namespace irra::fix;
using namespace std::chrono;
using irra::fix::test::make_fix;
using irra::fix::test::pipes_from_soh;

namespace {
const utc_timestamp t0{sys_days{2024y / March / 15} + 9h + 15min + 30s + 250ms};
}

TEST_CASE("the writer produces exactly the bytes of a hand-built message") {
  std::string out;
  writer w(out);
  w.begin("0", "IRRA", "EXCH", 12, t0);
  w.field(tag::test_req_id, "T1");
  REQUIRE(w.finish());
  CHECK(pipes_from_soh(out) ==
        pipes_from_soh(make_fix("35=0|49=IRRA|56=EXCH|34=12|52=20240315-09:15:30.250|112=T1|")));
}

TEST_CASE("written messages frame and parse back with the same values") {
  std::string out = "earlier bytes";
  writer w(out);
  w.begin("8", header_fields{"IRRA", "EXCH", 99, t0, true, true, t0 - 1s});
  w.field(tag::exec_id, "E-1")
      .field_char(tag::side, '2')
      .field_int(tag::order_qty, -3)
      .field_uint(tag::cum_qty, 18446744073709551615ull)
      .field_price(tag::price, 245005)
      .field_time(tag::transact_time, t0)
      .field(tag::product, "CNC");
  REQUIRE(w.finish());
  CHECK(out.starts_with("earlier bytes8=FIX.4.4"));
  const auto f = frame(std::string_view(out).substr(13));
  REQUIRE(f.status == frame_status::complete);
  CHECK(f.message == w.last_message());
  message m;
  REQUIRE(m.parse(f.message));
  CHECK(m.get(tag::sender_comp_id) == "IRRA");
  CHECK(m.get(tag::target_comp_id) == "EXCH");
  CHECK(m.seq_num() == 99);
  CHECK(m.get_flag(tag::poss_dup_flag));
  CHECK(m.get_flag(tag::poss_resend));
  CHECK(m.get_utc_timestamp(tag::orig_sending_time) == t0 - 1s);
  CHECK(m.get_int(tag::order_qty) == -3);
  CHECK(m.get(tag::cum_qty) == "18446744073709551615");
  CHECK(m.get_price_paise(tag::price) == 245005);
  CHECK(m.get_utc_timestamp(tag::transact_time) == t0);
  CHECK(m.get(tag::product) == "CNC");
}

TEST_CASE("the header is in the standard order 8 9 35 49 56 34 52 43 97 122") {
  std::string out;
  writer w(out);
  w.begin("D", header_fields{"IRRA", "EXCH", 5, t0, true, true, t0});
  w.field(tag::cl_ord_id, "C1");
  REQUIRE(w.finish());
  message m;
  REQUIRE(m.parse(out));
  const int expected[] = {8, 9, 35, 49, 56, 34, 52, 43, 97, 122, 11, 10};
  REQUIRE(m.fields().size() == std::size(expected));
  for (std::size_t i = 0; i < std::size(expected); ++i) CHECK(m.fields()[i].tag == expected[i]);
}

TEST_CASE("a value containing SOH or empty fails the message and leaves the buffer as it was") {
  std::string out = "keep";
  writer w(out);
  w.begin("D", "IRRA", "EXCH", 1, t0);
  w.field(tag::text,
          "evil\x01"
          "55=X");
  CHECK_FALSE(w.finish());
  CHECK(out == "keep");
  w.begin("D", "IRRA", "EXCH", 1, t0);
  w.field(tag::text, "");
  CHECK_FALSE(w.finish());
  CHECK(out == "keep");
  w.begin("D", "IRRA", "EXCH", 1, t0);
  REQUIRE(w.finish());
  CHECK(frame(std::string_view(out).substr(4)).status == frame_status::complete);
}

TEST_CASE("a message over the size limit is refused") {
  std::string out;
  writer w(out);
  w.begin("D", "IRRA", "EXCH", 1, t0);
  w.field(tag::text, std::string(max_message_size, 'x'));
  CHECK_FALSE(w.finish());
  CHECK(out.empty());
}

TEST_CASE("BodyLength of every size frames correctly") {
  for (std::size_t n = 1; n < 1200; n += 7) {
    std::string out;
    writer w(out);
    w.begin("0", "IRRA", "EXCH", 1, t0);
    w.field(tag::text, std::string(n, 'a'));
    REQUIRE(w.finish());
    const auto f = frame(out);
    INFO("text size " << n);
    REQUIRE(f.status == frame_status::complete);
    CHECK(f.consumed == out.size());
  }
}
