// Market data: snapshots of the last price on subscription and on every change.
#include <catch2/catch.hpp>
#include <set>

#include "sim_fixture.hpp"

using namespace irra::sim::test;
using namespace std::chrono_literals;
namespace fix = irra::fix;

namespace {

std::vector<fix::market_data_snapshot> snapshots(const fix_client& c) {
  std::vector<fix::market_data_snapshot> out;
  fix::message m;
  for (const auto& raw : c.received()) {
    if (!m.parse(raw) || m.msg_type() != "W") continue;
    fix::market_data_snapshot s;
    if (fix::decode(m, s).ok()) out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("a subscription gets the last price now and on every change", "[sim][md]") {
  running_sim sim;
  fix_client md(sim.fix_port(), "EXCH-MD");
  REQUIRE(md.logon());
  const fix::instrument_ref reliance[] = {{"RELIANCE", "NSE"}};
  REQUIRE(md.send(fix::market_data_request{"REQ-1", reliance}));
  REQUIRE(md.wait_for([&] { return snapshots(md).size() == 1; }));
  CHECK(snapshots(md)[0].md_req_id == "REQ-1");
  CHECK(snapshots(md)[0].symbol == "RELIANCE");
  CHECK(snapshots(md)[0].security_exchange == "NSE");
  CHECK(snapshots(md)[0].last_price == 245050);

  REQUIRE(
      http_call(sim.http_port(), "POST", "/control/price?instrument=NSE%3ARELIANCE&price=2455.10")
          .status == 200);
  REQUIRE(md.wait_for([&] { return snapshots(md).size() == 2; }));
  CHECK(snapshots(md)[1].last_price == 245510);
}

TEST_CASE("an unknown symbol gets a MarketDataRequestReject", "[sim][md]") {
  running_sim sim;
  fix_client md(sim.fix_port(), "EXCH-MD");
  REQUIRE(md.logon());
  const fix::instrument_ref unknown[] = {{"NOSUCH", "NSE"}};
  REQUIRE(md.send(fix::market_data_request{"REQ-9", unknown}));
  REQUIRE(md.wait_for([&] { return md.count_type("Y") == 1; }));
  fix::message m;
  REQUIRE(m.parse(md.received().front()));
  fix::market_data_request_reject r;
  REQUIRE(fix::decode(m, r).ok());
  CHECK(r.md_req_id == "REQ-9");
  CHECK(r.md_req_rej_reason == '0');
  CHECK(snapshots(md).empty());
}

TEST_CASE("the random walk moves prices on the tick grid inside the band", "[sim][md]") {
  running_sim sim([](irra::sim::sim_options& o) { o.walk_ms = 20; });
  fix_client md(sim.fix_port(), "EXCH-MD");
  REQUIRE(md.logon());
  const fix::instrument_ref both[] = {{"RELIANCE", "NSE"}, {"NIFTY24DEC24000CE", "NSE"}};
  REQUIRE(md.send(fix::market_data_request{"REQ-2", both}));
  REQUIRE(md.wait_for([&] { return snapshots(md).size() >= 12; }));
  std::set<std::int64_t> distinct;
  for (const auto& s : snapshots(md)) {
    REQUIRE(s.last_price);
    const std::int64_t p = *s.last_price;
    distinct.insert(p);
    CHECK(p % 5 == 0);
    if (s.symbol == "RELIANCE") {
      CHECK(p >= 220545);
      CHECK(p <= 269555);
    } else {
      CHECK(p >= 5);
      CHECK(p <= 95000);
    }
  }
  CHECK(distinct.size() > 2);
}
