// Each ExecID is applied once per trading date, whichever session brings it first, however
// often it is re-sent, and across restarts.
#include <catch2/catch.hpp>

#include "engine_env.hpp"

using namespace irra::domain;
using namespace irra::trading;
using namespace irra::trading::test;

TEST_CASE("an ExecID is applied once across sessions and across restarts") {
  EngineEnv env;
  const auto ack = new_report("E1", "O1", Side::sell, 40);
  const auto fill = fill_report("E2", "O1", Side::sell, 40, 40, 246000, 40);
  env.on_strand([&] {
    CHECK(env.engine().on_exec_report("DC", 1, ack) == ApplyStatus::applied);
    CHECK(env.engine().on_exec_report("DC", 2, fill) == ApplyStatus::applied);
    // The order-entry session brings the same reports; the drop copy re-sends one (PossResend).
    CHECK(env.engine().on_exec_report("OE", 1, fill) == ApplyStatus::duplicate);
    CHECK(env.engine().on_exec_report("DC", 3, fill) == ApplyStatus::duplicate);
  });
  env.settle();
  const PositionKey key{"C1", "NSE:RELIANCE", Product::mis};
  CHECK(env.book().position(key)->net_qty() == 60);
  CHECK(env.count("journal") == 2);
  CHECK(env.engine().stats().reports_duplicate == 2);

  env.crash_and_restart();
  CHECK(env.book().position(key)->net_qty() == 60);
  CHECK(env.book().trades().size() == 1);
  env.on_strand([&] {
    CHECK(env.engine().on_exec_report("DC", 4, fill) == ApplyStatus::duplicate);
    CHECK(env.engine().on_exec_report("OE", 2, ack) == ApplyStatus::duplicate);
  });
  env.settle();
  CHECK(env.book().position(key)->net_qty() == 60);
  CHECK(env.count("journal") == 2);
  // The sessions' numbers moved on even for duplicates: they are not asked for again.
  CHECK(env.engine().session("DC").next_in_seq() == 5);
  CHECK(env.engine().session("OE").next_in_seq() == 3);
}

TEST_CASE("a report the book refuses is counted, not journaled, and its seq still advances") {
  EngineEnv env;
  auto bad = fill_report("E9", "O9", Side::buy, 10, 20, 245000, 20);  // overfills its order
  env.on_strand([&] { CHECK(env.engine().on_exec_report("DC", 1, bad) == ApplyStatus::refused); });
  env.settle();
  CHECK(env.engine().stats().reports_refused == 1);
  CHECK(env.count("journal") == 0);
  CHECK(env.count("fix_sessions WHERE name = 'DC' AND next_in_seq = 2") == 1);
}
