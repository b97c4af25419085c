// The FIX ingest path: an ExecutionReport in wire terms becomes the Book's report, and
// subscribers hear of a change only once it is durable.
#include <catch2/catch.hpp>
#include <chrono>

#include "engine_env.hpp"

using namespace irra;
using namespace irra::domain;
using namespace irra::trading;
using namespace irra::trading::test;

namespace {

fix::execution_report wire_fill() {
  fix::execution_report m;
  m.exec_id = "T-100";
  m.order_id = "X-1";
  m.cl_ord_id = "WEB-1";
  m.account = "C2";
  m.symbol = "NIFTY24DEC24000CE";
  m.security_exchange = "NSE";
  m.product = "NRML";
  m.side = '2';
  m.exec_type = 'F';
  m.ord_status = '1';
  m.order_qty = 100;
  m.ord_type = '2';
  m.price = 12050;
  m.last_qty = 50;
  m.last_px = 12055;
  m.cum_qty = 50;
  m.leaves_qty = 50;
  m.avg_px = 12055;
  m.transact_time = fix::utc_timestamp(std::chrono::milliseconds(1'733'130'901'123));
  return m;
}

}  // namespace

TEST_CASE("a FIX execution report is applied with instrument, prices and time converted") {
  EngineEnv env;
  env.on_strand([&] {
    CHECK(env.engine().on_execution_report("DC", 1, wire_fill()) == ApplyStatus::applied);
  });
  env.settle();
  const auto* o = env.book().order("X-1");
  REQUIRE(o != nullptr);
  CHECK(o->instrument_id == "NSE:NIFTY24DEC24000CE");
  CHECK(o->product == Product::nrml);
  CHECK(o->side == Side::sell);
  CHECK(o->status == OrderStatus::partially_filled);
  CHECK(o->price == 12050);
  REQUIRE(env.book().trades().size() == 1);
  CHECK(env.book().trades()[0].price == 12055);
  CHECK(env.book().trades()[0].time == 1'733'130'901'123'000);
  CHECK(env.book().position(PositionKey{"C2", "NSE:NIFTY24DEC24000CE", Product::nrml})->net_qty() ==
        -50);

  // The same after a restart: the journal kept every field.
  const auto before = snapshot(env.book());
  env.crash_and_restart();
  CHECK(snapshot(env.book()) == before);
}

TEST_CASE("a report with an unknown product is refused and counted") {
  EngineEnv env;
  auto m = wire_fill();
  m.product = "XYZ";
  env.on_strand(
      [&] { CHECK(env.engine().on_execution_report("DC", 1, m) == ApplyStatus::refused); });
  env.settle();
  CHECK(env.engine().stats().reports_refused == 1);
  CHECK(env.book().orders().empty());
}

TEST_CASE("updates are published only after their batch commits") {
  EngineEnv env;
  std::vector<Update> seen;
  env.on_strand([&] {
    env.engine().subscribe([&](const std::vector<Update>& u) {
      // Durable before acknowledged: the journal already holds the report.
      CHECK(env.count("journal WHERE exec_id = 'F1'") == 1);
      seen.insert(seen.end(), u.begin(), u.end());
    });
  });
  // Applied, but its batch not yet submitted: nobody hears of it.
  env.engine().on_exec_report("DC", 1, fill_report("F1", "O1", Side::sell, 30, 30, 246000, 30));
  CHECK(seen.empty());
  env.settle();
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].kind == Update::Kind::order);
  CHECK(seen[0].object["status"] == "FILLED");
  CHECK(seen[1].kind == Update::Kind::trade);
  CHECK(seen[1].object["price"] == 2460);
  CHECK(seen[2].kind == Update::Kind::position);
  CHECK(seen[2].ucc == "C1");
  CHECK(seen[2].object["net_qty"] == 70);
}
