#include "irra/domain/instrument.hpp"

#include <catch2/catch.hpp>
#include <limits>

using namespace irra::domain;

namespace {
Instrument nifty_option() {
  Instrument i;
  i.instrument_id = "NSE:NIFTY24DEC24000CE";
  i.exchange = "NSE";
  i.segment = Segment::fo;
  i.symbol = "NIFTY24DEC24000CE";
  i.lot_size = 25;
  i.tick_size = 5;
  i.freeze_qty = 1800;
  i.lower_band = 5;
  i.upper_band = 50000;
  i.prev_close = 12000;
  return i;
}
}  // namespace

TEST_CASE("a price is on the tick grid only at a multiple of the tick size", "[instrument]") {
  const Instrument i = nifty_option();
  CHECK(i.on_tick(12000));
  CHECK(i.on_tick(12005));
  CHECK_FALSE(i.on_tick(12003));
  Instrument no_tick = i;
  no_tick.tick_size = 0;
  CHECK_FALSE(no_tick.on_tick(100));
}

TEST_CASE("the price band includes both of its edges", "[instrument]") {
  const Instrument i = nifty_option();
  CHECK(i.in_band(5));
  CHECK(i.in_band(50000));
  CHECK_FALSE(i.in_band(4));
  CHECK_FALSE(i.in_band(50001));
}

TEST_CASE("rounding to tick goes down, up or to the nearest grid price", "[instrument]") {
  const Instrument i = nifty_option();
  CHECK(i.round_to_tick(12003, Rounding::down) == 12000);
  CHECK(i.round_to_tick(12003, Rounding::up) == 12005);
  CHECK(i.round_to_tick(12003, Rounding::nearest) == 12005);
  CHECK(i.round_to_tick(12002, Rounding::nearest) == 12000);
  CHECK(i.round_to_tick(12005, Rounding::up) == 12005);
  CHECK(i.round_to_tick(-3, Rounding::down) == -5);
  CHECK(i.round_to_tick(-3, Rounding::up) == 0);
}

TEST_CASE("derivative quantities are whole lots and equity quantities are shares", "[instrument]") {
  Instrument fo = nifty_option();
  CHECK(fo.is_lot_multiple(50));
  CHECK_FALSE(fo.is_lot_multiple(30));
  CHECK(fo.max_order_qty() == 1800);
  fo.freeze_qty = 1810;  // not a lot multiple: the largest order is the lots below it
  CHECK(fo.max_order_qty() == 1800);
  fo.freeze_qty = 10;
  CHECK(fo.max_order_qty() == 0);

  Instrument eq = nifty_option();
  eq.segment = Segment::eq;
  eq.lot_size = 1;
  eq.freeze_qty = 0;
  CHECK(eq.is_lot_multiple(7));
  CHECK(eq.max_order_qty() == std::numeric_limits<Qty>::max());
}
