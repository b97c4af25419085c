#include "irra/fix/messages.hpp"

#include <catch2/catch.hpp>

#include "fix_test_util.hpp"
#include "irra/fix/parser.hpp"

using namespace irra::fix;
using namespace std::chrono;
using irra::fix::test::keep;
using irra::fix::test::make_fix;
using irra::fix::test::pipes_from_soh;

namespace {
const utc_timestamp t0{sys_days{2024y / March / 15} + 9h + 15min + 30s};
const std::string hdr = "49=EXCH-DC|56=IRRA|34=42|52=20240315-09:15:30.000|";

const std::string trade_body =
    "17=EX-1|37=ORD-1|11=CL-1|1=UCC001|55=RELIANCE|207=NSE|5001=MIS|54=1|150=F|39=1|38=10|"
    "40=2|44=2450.05|32=4|31=2450.000000|14=4|151=6|6=2450|59=0|60=20240315-09:15:30.123|";

// The trade report with the field `tag_eq` (e.g. "1=") removed.
std::string trade_without(std::string_view tag_eq) {
  std::string b = "|" + trade_body;
  const auto at = b.find("|" + std::string(tag_eq));
  REQUIRE(at != std::string::npos);
  b.erase(at + 1, b.find('|', at + 1) - at);
  return make_fix("35=8|" + hdr + b.substr(1));
}

}  // namespace

TEST_CASE("an ExecutionReport trade decodes every section-5 field") {
  const std::string raw =
      make_fix("35=8|" + hdr + "43=Y|" + trade_body + "41=CL-0|58=partial|103=0|");
  message m;
  REQUIRE(m.parse(raw));
  execution_report er;
  const auto r = decode(m, er);
  INFO(r.describe());
  REQUIRE(r.ok());
  CHECK(er.seq_num == 42);
  CHECK(er.poss_dup);
  CHECK_FALSE(er.poss_resend);
  CHECK(er.exec_id == "EX-1");
  CHECK(er.order_id == "ORD-1");
  CHECK(er.cl_ord_id == "CL-1");
  CHECK(er.orig_cl_ord_id == "CL-0");
  CHECK(er.account == "UCC001");
  CHECK(er.symbol == "RELIANCE");
  CHECK(er.security_exchange == "NSE");
  CHECK(er.product == "MIS");
  CHECK(er.side == '1');
  CHECK(er.exec_type == 'F');
  CHECK(er.ord_status == '1');
  CHECK(er.order_qty == 10);
  CHECK(er.ord_type == '2');
  CHECK(er.price == 245005);
  CHECK(er.last_qty == 4);
  CHECK(er.last_px == 245000);
  CHECK(er.cum_qty == 4);
  CHECK(er.leaves_qty == 6);
  CHECK(er.avg_px == 245000);
  CHECK(er.time_in_force == '0');
  CHECK(er.transact_time == t0 + 123ms);
  CHECK(er.text == "partial");
  CHECK(er.ord_rej_reason == 0);
}

TEST_CASE("a missing required ExecutionReport field is named precisely") {
  for (int t : {17, 37, 1, 55, 207, 5001, 54, 150, 39, 38, 14, 151, 6, 60}) {
    message m;
    REQUIRE(m.parse(keep(trade_without(std::to_string(t) + "="))));
    execution_report er;
    const auto r = decode(m, er);
    INFO("tag " << t);
    CHECK(r.status == decode_status::missing_field);
    CHECK(r.tag == t);
  }
  message m;
  REQUIRE(m.parse(keep(trade_without("5001="))));
  execution_report er;
  CHECK(decode(m, er).describe() == "required field 5001 (Product) missing");
}

TEST_CASE("a trade without LastQty or LastPx is refused") {
  message m;
  execution_report er;
  REQUIRE(m.parse(keep(trade_without("32="))));
  CHECK(decode(m, er).tag == tag::last_qty);
  REQUIRE(m.parse(keep(trade_without("31="))));
  CHECK(decode(m, er).tag == tag::last_px);
}

TEST_CASE("an ExecutionReport price with a non-zero third decimal is a bad value") {
  std::string b = trade_body;
  b.replace(b.find("44=2450.05"), 10, "44=2450.055");
  message m;
  REQUIRE(m.parse(keep(make_fix("35=8|" + hdr + b))));
  execution_report er;
  const auto r = decode(m, er);
  CHECK(r.status == decode_status::bad_value);
  CHECK(r.tag == tag::price);
  CHECK(r.describe() == "bad value in field 44 (Price)");
}

TEST_CASE("an ExecutionReport AvgPx finer than a paisa is rounded, not refused") {
  std::string b = trade_body;
  b.replace(b.find("6=2450|"), 7, "6=2450.0333333333|");
  message m;
  REQUIRE(m.parse(keep(make_fix("35=8|" + hdr + b))));
  execution_report er;
  REQUIRE(decode(m, er).ok());
  CHECK(er.avg_px == 245003);
}

TEST_CASE("an ExecutionReport with an overflowing quantity is a bad value") {
  std::string b = trade_body;
  b.replace(b.find("38=10|"), 6, "38=99999999999999999999|");
  message m;
  REQUIRE(m.parse(keep(make_fix("35=8|" + hdr + b))));
  execution_report er;
  CHECK(decode(m, er).tag == tag::order_qty);
}

TEST_CASE("a new-order acknowledgement needs no trade fields") {
  message m;
  REQUIRE(m.parse(keep(make_fix("35=8|" + hdr +
                                "17=EX-2|37=ORD-2|1=UCC1|55=TCS|207=NSE|5001=CNC|54=2|150=0|39=0|"
                                "38=5|40=1|14=0|151=5|6=0|60=20240315-09:15:30|"))));
  execution_report er;
  REQUIRE(decode(m, er).ok());
  CHECK_FALSE(er.price);
  CHECK_FALSE(er.last_qty);
  CHECK(er.exec_type == '0');
  CHECK(er.cl_ord_id.empty());
}

TEST_CASE("decoding the wrong message type says so") {
  message m;
  REQUIRE(m.parse(keep(make_fix("35=9|" + hdr + "37=O|11=C|41=C0|39=0|434=1|"))));
  execution_report er;
  CHECK(decode(m, er).status == decode_status::wrong_msg_type);
}

TEST_CASE("a NewOrderSingle carries exactly the section-5 fields") {
  std::string out;
  writer w(out);
  w.begin(msg_type::new_order_single, "IRRA", "EXCH-OE", 3, t0);
  new_order_single nos{"CL-9", "UCC001", "RELIANCE", "NSE", "MIS", '2', 10, '2', 245005, '0', t0};
  REQUIRE(encode_body(w, nos));
  REQUIRE(w.finish());
  CHECK(pipes_from_soh(out) ==
        pipes_from_soh(make_fix("35=D|49=IRRA|56=EXCH-OE|34=3|52=20240315-09:15:30.000|11=CL-9|"
                                "1=UCC001|55=RELIANCE|207=NSE|5001=MIS|54=2|38=10|40=2|"
                                "44=2450.05|59=0|60=20240315-09:15:30.000|")));
}

TEST_CASE("a NewOrderSingle breaking the order rules is not written") {
  std::string out;
  writer w(out);
  new_order_single limit_without_price{"C", "U", "S", "NSE", "MIS", '1', 1, '2', {}, '0', t0};
  new_order_single market_with_price{"C", "U", "S", "NSE", "MIS", '1', 1, '1', 100, '0', t0};
  new_order_single zero_qty{"C", "U", "S", "NSE", "MIS", '1', 0, '1', {}, '0', t0};
  new_order_single bad_side{"C", "U", "S", "NSE", "MIS", '5', 1, '1', {}, '0', t0};
  for (const auto& nos : {limit_without_price, market_with_price, zero_qty, bad_side}) {
    w.begin(msg_type::new_order_single, "IRRA", "EXCH-OE", 3, t0);
    CHECK_FALSE(encode_body(w, nos));
    REQUIRE(w.finish());
    message m;
    REQUIRE(m.parse(w.last_message()));
    CHECK_FALSE(m.has(tag::cl_ord_id));
  }
}

TEST_CASE("an OrderCancelRequest carries OrderID only when known") {
  std::string out;
  writer w(out);
  w.begin(msg_type::order_cancel_request, "IRRA", "EXCH-OE", 4, t0);
  order_cancel_request ocr{"CL-9", "CX-1", "ORD-7", "UCC001", "RELIANCE", "NSE", '1', 10, t0};
  REQUIRE(encode_body(w, ocr));
  REQUIRE(w.finish());
  CHECK(pipes_from_soh(out) ==
        pipes_from_soh(make_fix("35=F|49=IRRA|56=EXCH-OE|34=4|52=20240315-09:15:30.000|41=CL-9|"
                                "11=CX-1|37=ORD-7|1=UCC001|55=RELIANCE|207=NSE|54=1|38=10|"
                                "60=20240315-09:15:30.000|")));
  out.clear();
  ocr.order_id = {};
  w.begin(msg_type::order_cancel_request, "IRRA", "EXCH-OE", 5, t0);
  REQUIRE(encode_body(w, ocr));
  REQUIRE(w.finish());
  message m;
  REQUIRE(m.parse(out));
  CHECK_FALSE(m.has(tag::order_id));
}

TEST_CASE("an OrderCancelReject decodes with its reason") {
  message m;
  REQUIRE(m.parse(
      keep(make_fix("35=9|" + hdr + "37=ORD-7|11=CX-1|41=CL-9|39=2|434=1|102=0|58=too late|"))));
  order_cancel_reject r;
  REQUIRE(decode(m, r).ok());
  CHECK(r.order_id == "ORD-7");
  CHECK(r.cl_ord_id == "CX-1");
  CHECK(r.orig_cl_ord_id == "CL-9");
  CHECK(r.ord_status == '2');
  CHECK(r.cxl_rej_response_to == '1');
  CHECK(r.cxl_rej_reason == 0);
  CHECK(r.text == "too late");
  REQUIRE(m.parse(keep(make_fix("35=9|" + hdr + "37=ORD-7|11=CX-1|39=2|434=1|"))));
  CHECK(decode(m, r).tag == tag::orig_cl_ord_id);
}

TEST_CASE("a MarketDataRequest subscribes to the last price of each instrument") {
  std::string out;
  writer w(out);
  w.begin(msg_type::market_data_request, "IRRA", "EXCH-MD", 2, t0);
  const instrument_ref instruments[] = {{"RELIANCE", "NSE"}, {"TCS", "BSE"}};
  REQUIRE(encode_body(w, market_data_request{"MD-1", instruments}));
  REQUIRE(w.finish());
  CHECK(pipes_from_soh(out) ==
        pipes_from_soh(make_fix("35=V|49=IRRA|56=EXCH-MD|34=2|52=20240315-09:15:30.000|262=MD-1|"
                                "263=1|264=1|267=1|269=2|146=2|55=RELIANCE|207=NSE|55=TCS|"
                                "207=BSE|")));
  message m;
  REQUIRE(m.parse(out));
  CHECK(m.group(tag::no_related_sym).size() == 2);
}

TEST_CASE("a snapshot gives the last traded price in paise") {
  message m;
  REQUIRE(m.parse(keep(make_fix(
      "35=W|" + hdr + "262=MD-1|55=TCS|207=NSE|268=2|269=0|270=3499|269=2|270=3500.25|"))));
  market_data_snapshot s;
  REQUIRE(decode(m, s).ok());
  CHECK(s.md_req_id == "MD-1");
  CHECK(s.symbol == "TCS");
  CHECK(s.security_exchange == "NSE");
  CHECK(s.last_price == 350025);
  REQUIRE(m.parse(keep(make_fix("35=W|" + hdr + "262=MD-1|55=TCS|207=NSE|268=1|269=2|270=-1|"))));
  CHECK(decode(m, s).tag == tag::md_entry_px);
  REQUIRE(m.parse(keep(make_fix("35=W|" + hdr + "262=MD-1|55=TCS|207=NSE|"))));
  CHECK(decode(m, s).tag == tag::no_md_entries);
}

TEST_CASE("a MarketDataRequestReject decodes its request id and reason") {
  message m;
  REQUIRE(m.parse(keep(make_fix("35=Y|" + hdr + "262=MD-9|281=0|58=unknown symbol|"))));
  market_data_request_reject r;
  REQUIRE(decode(m, r).ok());
  CHECK(r.md_req_id == "MD-9");
  CHECK(r.md_req_rej_reason == '0');
  CHECK(r.text == "unknown symbol");
}
