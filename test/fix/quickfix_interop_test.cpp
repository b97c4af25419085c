// The codec against QuickFIX, the independent engine the exchange may run: what QuickFIX
// writes parses here, and what IRRA writes QuickFIX accepts, field for field.
#include <catch2/catch.hpp>

#include "fix_test_util.hpp"
#include "irra/fix/messages.hpp"
#include "irra/fix/parser.hpp"
#include "quickfix_bridge.hpp"

using namespace irra::fix;
namespace qf = irra::fix::quickfix_bridge;

TEST_CASE("an ExecutionReport written by QuickFIX frames, parses and decodes") {
  const std::string raw = qf::execution_report_trade();
  const frame_result f = frame(raw);
  REQUIRE(f.status == frame_status::complete);
  message m;
  REQUIRE(m.parse(f.message));
  execution_report er;
  const auto r = decode(m, er);
  INFO(r.describe() << " in " << test::pipes_from_soh(raw));
  REQUIRE(r.ok());
  CHECK(er.seq_num == 12);
  CHECK(er.exec_id == "EX-9");
  CHECK(er.order_id == "NSE-77");
  CHECK(er.product == "MIS");
  CHECK(er.side == '2');
  CHECK(er.order_qty == 100);
  CHECK(er.price == 245010);
  CHECK(er.last_qty == 40);
  CHECK(er.last_px == 245005);
  CHECK(er.avg_px == 245005);
  CHECK(er.leaves_qty == 60);
  using namespace std::chrono;
  // QuickFIX 1.15 writes whole seconds here, and the header in tag order (34 before 49).
  CHECK(m.get(tag::transact_time) == "20240315-09:15:30");
  CHECK(er.transact_time == utc_timestamp{sys_days{year{2024} / 3 / 15} + 9h + 15min + 30s});
}

TEST_CASE("a snapshot and a GapFill written by QuickFIX parse") {
  const std::string w_raw = qf::market_data_snapshot();
  message m;
  REQUIRE(m.parse(w_raw));
  market_data_snapshot s;
  REQUIRE(decode(m, s).ok());
  CHECK(s.last_price == 350025);

  const std::string g_raw = qf::sequence_reset_gap_fill();
  REQUIRE(frame(g_raw).status == frame_status::complete);
  REQUIRE(m.parse(g_raw));
  CHECK(m.msg_type() == "4");
  CHECK(m.get_flag(tag::gap_fill_flag));
  CHECK(m.get_flag(tag::poss_dup_flag));
  CHECK(m.get_uint(tag::new_seq_no) == 20u);
}

TEST_CASE("QuickFIX accepts IRRA's NewOrderSingle and reads the same values") {
  using namespace std::chrono;
  const utc_timestamp t{sys_days{year{2024} / 3 / 15} + 9h + 15min};
  std::string out;
  writer w(out);
  w.begin(msg_type::new_order_single, header_fields{"IRRA", "EXCH-OE", 7, t, true, false, t});
  const new_order_single nos{"IRRA-1", "UCC00123", "RELIANCE", "NSE", "MIS", '1',
                             25,       '2',        245005,     '0',   t};
  REQUIRE(encode_body(w, nos));
  REQUIRE(w.finish());
  std::string error;
  INFO(error);
  REQUIRE(qf::accepts(out, error));
  CHECK(qf::field(out, 35) == "D");
  CHECK(qf::field(out, 34) == "7");
  CHECK(qf::field(out, 43) == "Y");
  CHECK(qf::field(out, 122) == "20240315-09:15:00.000");
  CHECK(qf::field(out, 44) == "2450.05");
  CHECK(qf::field(out, 5001) == "MIS");
}

TEST_CASE("QuickFIX refuses what frame() refuses") {
  std::string raw = qf::execution_report_trade();
  raw[raw.size() - 2] = raw[raw.size() - 2] == '0' ? '1' : '0';
  std::string error;
  CHECK_FALSE(qf::accepts(raw, error));
  CHECK(frame(raw).reason == garbage_reason::bad_checksum);
}
