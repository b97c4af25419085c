#include "irra/domain/enums.hpp"

#include <catch2/catch.hpp>

using namespace irra::domain;

TEST_CASE("enum names are the contract's spellings and parse back", "[enums]") {
  CHECK(to_string(Side::buy) == "BUY");
  CHECK(to_string(Side::sell) == "SELL");
  CHECK(to_string(Product::nrml) == "NRML");
  CHECK(to_string(Segment::com) == "COM");
  CHECK(to_string(OrderType::market) == "MARKET");
  CHECK(to_string(OrderStatus::partially_filled) == "PARTIALLY_FILLED");
  CHECK(to_string(OrderSource::backup) == "backup");
  CHECK(to_string(Origin::bulk) == "bulk");

  for (auto v : {Side::buy, Side::sell}) CHECK(parse_side(to_string(v)) == v);
  for (auto v : {Product::mis, Product::nrml, Product::cnc, Product::mtf}) {
    CHECK(parse_product(to_string(v)) == v);
  }
  for (auto v : {Segment::eq, Segment::fo, Segment::cd, Segment::com}) {
    CHECK(parse_segment(to_string(v)) == v);
  }
  for (auto v : {OrderType::market, OrderType::limit}) CHECK(parse_order_type(to_string(v)) == v);
  for (auto v :
       {OrderStatus::pending, OrderStatus::open, OrderStatus::partially_filled, OrderStatus::filled,
        OrderStatus::cancelled, OrderStatus::rejected, OrderStatus::expired}) {
    CHECK(parse_order_status(to_string(v)) == v);
  }
  for (auto v : {OrderSource::main, OrderSource::backup}) {
    CHECK(parse_order_source(to_string(v)) == v);
  }
  for (auto v : {Origin::investor, Origin::staff, Origin::bulk})
    CHECK(parse_origin(to_string(v)) == v);
  for (auto v : {ExecType::new_, ExecType::trade, ExecType::cancelled, ExecType::rejected,
                 ExecType::expired, ExecType::other}) {
    CHECK(parse_exec_type(to_string(v)) == v);
  }
}

TEST_CASE("enum parsers refuse other spellings", "[enums]") {
  CHECK_FALSE(parse_side("buy").has_value());
  CHECK_FALSE(parse_side("B").has_value());
  CHECK_FALSE(parse_product("mis").has_value());
  CHECK_FALSE(parse_segment("").has_value());
  CHECK_FALSE(parse_order_status("NEW").has_value());
  CHECK_FALSE(parse_order_source("MAIN").has_value());
  CHECK_FALSE(parse_origin("Investor").has_value());
}

TEST_CASE("only FILLED, CANCELLED, REJECTED and EXPIRED are final", "[enums]") {
  CHECK_FALSE(is_final(OrderStatus::pending));
  CHECK_FALSE(is_final(OrderStatus::open));
  CHECK_FALSE(is_final(OrderStatus::partially_filled));
  CHECK(is_final(OrderStatus::filled));
  CHECK(is_final(OrderStatus::cancelled));
  CHECK(is_final(OrderStatus::rejected));
  CHECK(is_final(OrderStatus::expired));
  CHECK(opposite(Side::buy) == Side::sell);
  CHECK(sign(Side::sell) == -1);
}
