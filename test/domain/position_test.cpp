#include "irra/domain/position.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <unordered_set>

using namespace irra::domain;

namespace {
const PositionKey key{"UCC1", "NSE:RELIANCE", Product::mis};
}

TEST_CASE("a new long position costs what was paid and has no realized P&L", "[position]") {
  Position p(key);
  p.apply_fill(Side::buy, 100, 1000);
  CHECK(p.net_qty() == 100);
  CHECK(p.open_cost() == 100'000);
  CHECK(p.cash_flow() == -100'000);
  CHECK(p.avg_price() == 1000);
  CHECK(p.realized_pnl() == 0);
  CHECK(p.unrealized_pnl(1100) == 10'000);
}

TEST_CASE("selling part of a long realizes P&L on the part sold only", "[position]") {
  Position p(key);
  p.apply_fill(Side::buy, 100, 1000);
  p.apply_fill(Side::sell, 40, 1200);
  CHECK(p.net_qty() == 60);
  CHECK(p.realized_pnl() == 40 * 200);
  CHECK(p.open_cost() == 60'000);
  CHECK(p.avg_price() == 1000);
  CHECK(p.unrealized_pnl(1200) == 60 * 200);
}

TEST_CASE("a fill through zero closes the old side and opens the rest at the fill price",
          "[position]") {
  Position p(key);
  p.apply_fill(Side::buy, 100, 1000);
  p.apply_fill(Side::sell, 150, 1100);
  CHECK(p.net_qty() == -50);
  CHECK(p.realized_pnl() == 100 * 100);
  CHECK(p.open_cost() == -55'000);
  CHECK(p.avg_price() == 1100);
  // A short gains when the price falls.
  CHECK(p.unrealized_pnl(1000) == 50 * 100);

  p.apply_fill(Side::buy, 80, 1050);  // closes the short at a gain, opens 30 long
  CHECK(p.net_qty() == 30);
  CHECK(p.realized_pnl() == 100 * 100 + 50 * 50);
  CHECK(p.avg_price() == 1050);
}

TEST_CASE("a carried-forward short opens at its average price with nothing realized",
          "[position]") {
  Position p = Position::carried_forward(key, -50, 245050);
  CHECK(p.net_qty() == -50);
  CHECK(p.carried_forward_qty() == -50);
  CHECK(p.carried_forward_avg_price() == 245050);
  CHECK(p.avg_price() == 245050);
  CHECK(p.realized_pnl() == 0);
  CHECK(p.day_buy_qty() == 0);
  p.apply_fill(Side::buy, 50, 244000);
  CHECK(p.net_qty() == 0);
  CHECK(p.realized_pnl() == 50 * 1050);
  CHECK(p.open_cost() == 0);
  CHECK(p.avg_price() == 0);
  CHECK(p.day_buy_qty() == 50);
  CHECK(p.day_buy_value() == 50 * 244000);
}

TEST_CASE("reducing fills remove cost in proportion and realized absorbs the remainder",
          "[position]") {
  Position p(key);
  p.apply_fill(Side::buy, 1, 1001);
  p.apply_fill(Side::buy, 2, 1000);
  CHECK(p.avg_price() == 1000);  // 3001 / 3 = 1000.33
  p.apply_fill(Side::sell, 1, 1000);
  CHECK(p.open_cost() == 2001);  // 3001 - trunc(3001 / 3)
  CHECK(p.realized_pnl() == 0);
  CHECK(p.avg_price() == 1001);  // 2001 / 2 = 1000.5 rounds half up
  p.apply_fill(Side::sell, 2, 1000);
  CHECK(p.net_qty() == 0);
  CHECK(p.open_cost() == 0);
  CHECK(p.realized_pnl() == -1);  // bought for 3001, sold for 3000
}

TEST_CASE("day buy and sell quantities and values add up every fill", "[position]") {
  Position p = Position::carried_forward(key, 10, 500);
  p.apply_fill(Side::buy, 5, 510);
  p.apply_fill(Side::sell, 20, 520);
  p.apply_fill(Side::sell, 3, 490);
  CHECK(p.day_buy_qty() == 5);
  CHECK(p.day_buy_value() == 2550);
  CHECK(p.day_sell_qty() == 23);
  CHECK(p.day_sell_value() == 20 * 520 + 3 * 490);
  CHECK(p.net_qty() == 10 + 5 - 23);
}

TEST_CASE("a non-positive fill quantity changes nothing", "[position]") {
  Position p(key);
  p.apply_fill(Side::buy, 10, 100);
  p.apply_fill(Side::sell, 0, 100);
  p.apply_fill(Side::sell, -5, 100);
  CHECK(p.net_qty() == 10);
  CHECK(p.cash_flow() == -1000);
}

TEST_CASE("position keys hash and compare by all three parts", "[position]") {
  PositionKeyHash h;
  PositionKey a{"U", "NSE:X", Product::mis};
  PositionKey b{"U", "NSE:X", Product::nrml};
  PositionKey c{"U", "NSE:Y", Product::mis};
  CHECK(a == PositionKey{"U", "NSE:X", Product::mis});
  CHECK_FALSE(a == b);
  CHECK_FALSE(a == c);
  CHECK(h(a) == h(PositionKey{"U", "NSE:X", Product::mis}));
  std::unordered_set<PositionKey, PositionKeyHash> set{a, b, c, a};
  CHECK(set.size() == 3);
}

TEST_CASE("random fills keep net quantity, cost bounds and the P&L identity exact",
          "[position][property]") {
  std::mt19937_64 rng(0xC0FFEE);
  std::uniform_int_distribution<Qty> qty_dist(1, 500);
  std::uniform_int_distribution<Paise> px_dist(100, 500'000);
  std::uniform_int_distribution<int> coin(0, 1);
  std::uniform_int_distribution<int> steps(1, 60);
  for (int run = 0; run < 2000; ++run) {
    const Qty cf_qty = std::uniform_int_distribution<Qty>(-300, 300)(rng);
    const Paise cf_avg = px_dist(rng);
    Position p = Position::carried_forward(key, cf_qty, cf_avg);
    Qty expected_net = cf_qty;
    Paise expected_cash = -cf_qty * cf_avg;  // as if the opening had been traded at its avg
    Paise lo = cf_avg, hi = cf_avg;
    int reducing_fills = 0;
    const int n = steps(rng);
    for (int i = 0; i < n; ++i) {
      const Side side = coin(rng) ? Side::buy : Side::sell;
      const Qty q = qty_dist(rng);
      const Paise px = px_dist(rng);
      const Qty before = p.net_qty();
      if ((before > 0 && side == Side::sell) || (before < 0 && side == Side::buy)) {
        ++reducing_fills;
      }
      p.apply_fill(side, q, px);
      expected_net += sign(side) * q;
      expected_cash -= sign(side) * q * px;
      // A flip restarts the open cost at this fill's price.
      if ((before > 0 && p.net_qty() < 0) || (before < 0 && p.net_qty() > 0) || before == 0) {
        lo = hi = px;
        reducing_fills = 0;
      } else {
        lo = std::min(lo, px);
        hi = std::max(hi, px);
      }

      REQUIRE(p.net_qty() == expected_net);
      REQUIRE(p.cash_flow() == expected_cash);
      const Paise ltp = px_dist(rng);
      REQUIRE(p.realized_pnl() + p.unrealized_pnl(ltp) == expected_cash + expected_net * ltp);
      REQUIRE(p.total_pnl(ltp) == expected_cash + expected_net * ltp);
      if (p.net_qty() == 0) {
        REQUIRE(p.open_cost() == 0);
        REQUIRE(p.realized_pnl() == expected_cash);
      } else {
        // Open cost per unit stays between the prices it was built from; truncation may
        // leave at most one paisa per reducing fill in it.
        const Qty open = p.net_qty() > 0 ? p.net_qty() : -p.net_qty();
        const Paise cost = p.net_qty() > 0 ? p.open_cost() : -p.open_cost();
        REQUIRE(cost >= lo * open - reducing_fills);
        REQUIRE(cost <= hi * open + reducing_fills);
      }
    }
  }
}
