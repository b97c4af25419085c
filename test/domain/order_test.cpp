#include "irra/domain/order.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <utility>

using namespace irra::domain;

namespace {
using S = OrderStatus;
const S all_statuses[] = {S::pending,   S::open,     S::partially_filled, S::filled,
                          S::cancelled, S::rejected, S::expired};

Order limit_sell(Qty qty, OrderStatus status = S::open) {
  Order o;
  o.order_id = "1100000001";
  o.ucc = "UCC1";
  o.instrument_id = "NSE:RELIANCE";
  o.side = Side::sell;
  o.qty = qty;
  o.price = 245000;
  o.order_type = OrderType::limit;
  o.status = status;
  return o;
}

bool same_state(const Order& a, const Order& b) {
  return a.status == b.status && a.qty == b.qty && a.filled_qty == b.filled_qty &&
         a.filled_value == b.filled_value && a.avg_fill_price == b.avg_fill_price &&
         a.price == b.price && a.updated_at == b.updated_at;
}
}  // namespace

TEST_CASE("the transition table allows exactly the contract's status changes", "[order]") {
  const std::set<std::pair<S, S>> allowed{
      {S::pending, S::open},
      {S::pending, S::rejected},
      {S::pending, S::partially_filled},
      {S::pending, S::filled},
      {S::pending, S::cancelled},
      {S::open, S::partially_filled},
      {S::open, S::filled},
      {S::open, S::cancelled},
      {S::open, S::expired},
      {S::partially_filled, S::partially_filled},
      {S::partially_filled, S::filled},
      {S::partially_filled, S::cancelled},
      {S::partially_filled, S::expired},
  };
  for (S from : all_statuses) {
    for (S to : all_statuses) {
      INFO(to_string(from) << " -> " << to_string(to));
      CHECK(transition_allowed(from, to) == (allowed.count({from, to}) == 1));
    }
  }
}

TEST_CASE("final orders accept no status change, fill or amendment", "[order]") {
  for (S final_status : {S::filled, S::cancelled, S::rejected, S::expired}) {
    Order o = limit_sell(100, final_status);
    const Order before = o;
    for (S to : all_statuses) {
      CHECK(o.change_status(to, 5).code == OrderErrc::final_state);
    }
    CHECK(o.apply_fill(10, 245000, 10, 5).code == OrderErrc::final_state);
    CHECK(o.amend(200, 245000, 5).code == OrderErrc::final_state);
    CHECK(same_state(o, before));
    CHECK(o.leaves_qty() == 0);
    CHECK(o.is_final());
  }
}

TEST_CASE("status changes refuse fills and backwards moves", "[order]") {
  Order o = limit_sell(100, S::open);
  CHECK(o.change_status(S::pending, 1).code == OrderErrc::illegal_transition);
  CHECK(o.change_status(S::rejected, 1).code == OrderErrc::illegal_transition);
  CHECK(o.change_status(S::filled, 1).code == OrderErrc::illegal_transition);
  CHECK(o.change_status(S::partially_filled, 1).code == OrderErrc::illegal_transition);
  CHECK(o.status == S::open);
  CHECK(o.change_status(S::expired, 9));
  CHECK(o.status == S::expired);
  CHECK(o.updated_at == 9);

  Order p = limit_sell(100, S::pending);
  CHECK(p.change_status(S::expired, 1).code == OrderErrc::illegal_transition);
  CHECK(p.change_status(S::open, 1));
}

TEST_CASE("fills accumulate to FILLED and keep an exact average price", "[order]") {
  Order o = limit_sell(100, S::pending);
  REQUIRE(o.apply_fill(30, 245000, 30, 1));
  CHECK(o.status == S::partially_filled);
  CHECK(o.leaves_qty() == 70);
  REQUIRE(o.apply_fill(70, 245005, 100, 2));
  CHECK(o.status == S::filled);
  CHECK(o.filled_qty == 100);
  CHECK(o.filled_value == 30 * 245000 + 70 * 245005);
  CHECK(o.avg_fill_price == 245004);  // 245003.5 rounds half up
  CHECK(o.leaves_qty() == 0);
  CHECK(o.is_final());
}

TEST_CASE("a fill above the leaves quantity is refused and changes nothing", "[order]") {
  Order o = limit_sell(100);
  REQUIRE(o.apply_fill(60, 245000, 60, 1));
  const Order before = o;
  CHECK(o.apply_fill(41, 245000, 101, 2).code == OrderErrc::overfill);
  CHECK(same_state(o, before));
}

TEST_CASE("a fill whose cumulative quantity disagrees is refused and changes nothing", "[order]") {
  Order o = limit_sell(100);
  REQUIRE(o.apply_fill(60, 245000, 60, 1));
  const Order before = o;
  CHECK(o.apply_fill(10, 245000, 60, 2).code == OrderErrc::cum_qty_mismatch);  // cum too low
  CHECK(o.apply_fill(10, 245000, 80, 2).code == OrderErrc::cum_qty_mismatch);  // gap
  CHECK(o.apply_fill(0, 245000, 60, 2).code == OrderErrc::invalid_fill);
  CHECK(o.apply_fill(10, 0, 70, 2).code == OrderErrc::invalid_fill);
  CHECK(same_state(o, before));
}

TEST_CASE("an amendment may not go below what is already filled", "[order]") {
  Order o = limit_sell(100);
  REQUIRE(o.apply_fill(40, 245000, 40, 1));
  CHECK(o.amend(39, 245000, 2).code == OrderErrc::invalid_quantity);
  CHECK(o.amend(0, 245000, 2).code == OrderErrc::invalid_quantity);
  REQUIRE(o.amend(150, 244000, 2));
  CHECK(o.qty == 150);
  CHECK(o.price == 244000);
  CHECK(o.status == S::partially_filled);
  REQUIRE(o.amend(40, 244000, 3));  // down to the filled quantity: done
  CHECK(o.status == S::filled);
}

TEST_CASE("random operations never break the order's invariants", "[order][property]") {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int> op(0, 3);
  std::uniform_int_distribution<Qty> q(-5, 60);
  std::uniform_int_distribution<int> st(0, 6);
  int refused = 0, accepted = 0;
  for (int run = 0; run < 3000; ++run) {
    Order o = limit_sell(std::uniform_int_distribution<Qty>(1, 200)(rng), S::pending);
    for (int step = 0; step < 25; ++step) {
      const Order before = o;
      OrderResult r;
      switch (op(rng)) {
        case 0: {
          const Qty last = q(rng);
          // Mostly a consistent cum_qty, sometimes a wrong one.
          const Qty cum = o.filled_qty + last + (st(rng) == 0 ? q(rng) : 0);
          r = o.apply_fill(last, 245000, cum, step);
          break;
        }
        case 1:
          r = o.change_status(all_statuses[st(rng)], step);
          break;
        case 2:
          r = o.amend(o.qty + q(rng), 245000, step);
          break;
        default:
          r = o.apply_fill(q(rng), 245000, o.filled_qty, step);  // cum never moves: refused
          break;
      }
      if (r) {
        ++accepted;
        REQUIRE((before.status == o.status || transition_allowed(before.status, o.status)));
      } else {
        ++refused;
        REQUIRE(same_state(o, before));
      }
      REQUIRE(o.filled_qty >= before.filled_qty);
      REQUIRE(o.filled_qty >= 0);
      REQUIRE(o.filled_qty <= o.qty);
      REQUIRE(o.leaves_qty() == (o.is_final() ? 0 : o.qty - o.filled_qty));
      REQUIRE((o.status == S::filled) == (o.filled_qty == o.qty && o.filled_qty > 0));
      if (before.is_final()) REQUIRE_FALSE(r.ok());
    }
  }
  CHECK(accepted > 1000);
  CHECK(refused > 1000);
}
