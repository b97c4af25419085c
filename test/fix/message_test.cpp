#include "irra/fix/message.hpp"

#include <catch2/catch.hpp>

#include "fix_test_util.hpp"
#include "irra/fix/parser.hpp"

using namespace irra::fix;
using irra::fix::test::keep;
using irra::fix::test::make_fix;

namespace {
const char* const header = "49=EXCH|56=IRRA|34=7|52=20240315-09:15:30.000|";

std::string with_header(std::string_view type, std::string_view body) {
  return make_fix("35=" + std::string(type) + "|" + header + std::string(body));
}
}  // namespace

TEST_CASE("fields are views into the buffer, found by tag") {
  const std::string raw = with_header("8", "17=E1|37=O1|55=RELIANCE|5001=MIS|");
  message m;
  REQUIRE(m.parse(raw));
  CHECK(m.msg_type() == "8");
  CHECK(m.get(tag::exec_id) == "E1");
  CHECK(m.get(tag::product) == "MIS");
  CHECK_FALSE(m.get(tag::price));
  CHECK(m.seq_num() == 7);
  const auto v = *m.get(tag::symbol);
  CHECK(v.data() >= raw.data());
  CHECK(v.data() < raw.data() + raw.size());
}

TEST_CASE("a reused message object forgets the previous message's fields") {
  message m;
  REQUIRE(m.parse(keep(with_header("8", "17=E1|44=10.5|"))));
  REQUIRE(m.parse(keep(with_header("8", "17=E2|"))));
  CHECK(m.get(tag::exec_id) == "E2");
  CHECK_FALSE(m.get(tag::price));
}

TEST_CASE("a repeated tag outside a group is rejected with reason 13") {
  message m;
  CHECK_FALSE(m.parse(keep(with_header("8", "17=E1|55=A|55=B|"))));
  REQUIRE(m.error());
  CHECK(m.error()->reason == session_reject_reason::tag_appears_more_than_once);
  CHECK(m.error()->ref_tag == 55);
  CHECK(m.get(tag::symbol) == "A");
  CHECK(m.seq_num() == 7);  // still readable for RefSeqNum

  CHECK_FALSE(m.parse(keep(with_header("8", "5001=MIS|5001=CNC|"))));
  CHECK(m.error()->ref_tag == 5001);
}

TEST_CASE("a tag that is not digits is rejected with reason 0") {
  message m;
  CHECK_FALSE(m.parse(keep(with_header("8", "17=E1|5x=A|"))));
  CHECK(m.error()->reason == session_reject_reason::invalid_tag_number);
  CHECK_FALSE(m.parse(keep(with_header("8", "17=E1|=A|"))));
  CHECK(m.error()->reason == session_reject_reason::invalid_tag_number);
  CHECK_FALSE(m.parse(keep(with_header("8", "17=E1|055=A|"))));
  CHECK(m.error()->reason == session_reject_reason::invalid_tag_number);
  CHECK_FALSE(m.parse(keep(with_header("8", "17=E1|12345678=A|"))));
  CHECK(m.error()->reason == session_reject_reason::invalid_tag_number);
}

TEST_CASE("a field without '=' is rejected and the rest still indexed") {
  message m;
  CHECK_FALSE(m.parse(keep(with_header("8", "17E1|55=A|"))));
  CHECK(m.error()->reason == session_reject_reason::invalid_tag_number);
  CHECK(m.get(tag::symbol) == "A");
}

TEST_CASE("an empty value is rejected with reason 4 naming the tag") {
  message m;
  CHECK_FALSE(m.parse(keep(with_header("8", "17=|55=A|"))));
  CHECK(m.error()->reason == session_reject_reason::tag_without_value);
  CHECK(m.error()->ref_tag == 17);
}

TEST_CASE("MsgType must be the third field") {
  message m;
  CHECK_FALSE(m.parse(keep(make_fix("49=EXCH|35=0|56=IRRA|34=1|52=20240315-09:15:30|"))));
  CHECK(m.error()->reason == session_reject_reason::tag_out_of_order);
}

TEST_CASE("repeating group instances are read in order") {
  message m;
  REQUIRE(m.parse(keep(with_header(
      "W", "262=R1|55=TCS|207=NSE|268=3|269=0|270=10|269=1|270=11.5|271=5|269=2|270=3500.25|"))));
  const auto g = m.group(tag::no_md_entries);
  REQUIRE(g.size() == 3);
  CHECK(g[0].get(tag::md_entry_type) == "0");
  CHECK(g[1].get(tag::md_entry_px) == "11.5");
  CHECK(g[1].get(271) == "5");
  CHECK(g[2].get(tag::md_entry_px) == "3500.25");
  CHECK_FALSE(g[0].get(271));
  CHECK(m.get(tag::symbol) == "TCS");
  CHECK_FALSE(m.get(tag::md_entry_type));  // group fields are not top-level
}

TEST_CASE("two groups in one message and fields after a group") {
  message m;
  REQUIRE(m.parse(keep(with_header(
      "V", "262=R1|263=1|264=1|267=1|269=2|146=2|55=TCS|207=NSE|55=INFY|207=NSE|58=x|"))));
  CHECK(m.group(tag::no_md_entry_types).size() == 1);
  const auto syms = m.group(tag::no_related_sym);
  REQUIRE(syms.size() == 2);
  CHECK(syms[1].get(tag::symbol) == "INFY");
  CHECK(m.get(tag::text) == "x");
}

TEST_CASE("a NumInGroup that does not match the instances is rejected with reason 16") {
  message m;
  CHECK_FALSE(m.parse(keep(with_header("W", "55=TCS|207=NSE|268=2|269=2|270=1|"))));
  CHECK(m.error()->reason == session_reject_reason::incorrect_num_in_group);
  CHECK(m.error()->ref_tag == 268);
  CHECK_FALSE(m.parse(keep(with_header("W", "55=TCS|207=NSE|268=x|"))));
  CHECK(m.error()->reason == session_reject_reason::incorrect_data_format);
}

TEST_CASE("a group instance not starting with its delimiter is rejected with reason 15") {
  message m;
  CHECK_FALSE(m.parse(keep(with_header("W", "55=TCS|207=NSE|268=1|270=1|269=2|"))));
  CHECK(m.error()->reason == session_reject_reason::group_fields_out_of_order);
}

TEST_CASE("a tag repeated inside one group instance is rejected with reason 13") {
  message m;
  CHECK_FALSE(m.parse(keep(with_header("W", "55=TCS|207=NSE|268=1|269=2|270=1|270=2|"))));
  CHECK(m.error()->reason == session_reject_reason::tag_appears_more_than_once);
  CHECK(m.error()->ref_tag == 270);
}

TEST_CASE("typed getters reject malformed numbers") {
  message m;
  REQUIRE(m.parse(keep(with_header("8", "38=99999999999999999999|44=10.001|14=5|43=Y|"))));
  CHECK_FALSE(m.get_int(tag::order_qty));
  CHECK_FALSE(m.get_price_paise(tag::price));
  CHECK(m.get_qty(tag::cum_qty) == 5);
  CHECK(m.get_flag(tag::poss_dup_flag));
  CHECK_FALSE(m.get_flag(tag::poss_resend));
  CHECK(m.get_utc_timestamp(tag::sending_time));
}
