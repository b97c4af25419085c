#include "irra/domain/risk.hpp"

#include <catch2/catch.hpp>
#include <random>

#include "report_builder.hpp"

using namespace irra::domain;
using namespace irra::domain::testing;

namespace {
const RiskSettings one_percent{100};

SquareOffRequest market(std::optional<Qty> qty = std::nullopt) {
  return SquareOffRequest{qty, OrderType::market, std::nullopt};
}
SquareOffRequest limit(Qty qty, Paise price) {
  return SquareOffRequest{qty, OrderType::limit, price};
}
}  // namespace

TEST_CASE("a square-off without quantity closes all that may be squared off", "[risk]") {
  const auto plan =
      plan_square_off(PositionFacts{100, 30}, reliance(), Paise{245000}, market(), one_percent);
  REQUIRE(plan.ok());
  REQUIRE(plan.slices.size() == 1);
  CHECK(plan.slices[0].qty == 70);
  CHECK(plan.slices[0].side == Side::sell);
  CHECK(plan.slices[0].order_type == OrderType::limit);
  CHECK(plan.total_qty() == 70);
}

TEST_CASE("a square-off never exceeds the open quantity minus pending exits", "[risk]") {
  CHECK(plan_square_off(PositionFacts{100, 0}, reliance(), Paise{245000}, market(101), one_percent)
            .error == RiskErrc::increases_risk);
  CHECK(plan_square_off(PositionFacts{100, 30}, reliance(), Paise{245000}, market(71), one_percent)
            .error == RiskErrc::increases_risk);
  CHECK(plan_square_off(PositionFacts{100, 30}, reliance(), Paise{245000}, market(70), one_percent)
            .ok());
  // Everything already pending exit: even "all" is refused, so a double click sends nothing.
  const auto all_pending =
      plan_square_off(PositionFacts{100, 100}, reliance(), Paise{245000}, market(), one_percent);
  CHECK(all_pending.error == RiskErrc::increases_risk);
  CHECK(all_pending.slices.empty());
  CHECK_FALSE(all_pending.message.empty());
}

TEST_CASE("a flat position cannot be squared off", "[risk]") {
  CHECK(plan_square_off(PositionFacts{0, 0}, reliance(), Paise{245000}, market(), one_percent)
            .error == RiskErrc::no_position);
}

TEST_CASE("a zero or negative quantity is refused", "[risk]") {
  CHECK(plan_square_off(PositionFacts{100, 0}, reliance(), Paise{245000}, market(0), one_percent)
            .error == RiskErrc::invalid_quantity);
  CHECK(plan_square_off(PositionFacts{100, 0}, reliance(), Paise{245000}, market(-5), one_percent)
            .error == RiskErrc::invalid_quantity);
}

TEST_CASE("a short position is squared off by buying", "[risk]") {
  const auto plan =
      plan_square_off(PositionFacts{-40, 0}, reliance(), Paise{245000}, market(), one_percent);
  REQUIRE(plan.ok());
  CHECK(plan.slices[0].side == Side::buy);
  CHECK(plan.total_qty() == 40);
}

TEST_CASE("F&O quantities must be whole lots, equity quantities need not", "[risk]") {
  CHECK(plan_square_off(PositionFacts{100, 0}, nifty_call(), Paise{12000}, market(30), one_percent)
            .error == RiskErrc::not_lot_multiple);
  CHECK(plan_square_off(PositionFacts{100, 0}, nifty_call(), Paise{12000}, market(50), one_percent)
            .ok());
  // All that may be squared off is not a whole lot (an odd pending exit): refused, not rounded.
  CHECK(plan_square_off(PositionFacts{100, 10}, nifty_call(), Paise{12000}, market(), one_percent)
            .error == RiskErrc::not_lot_multiple);
  CHECK(plan_square_off(PositionFacts{37, 0}, reliance(), Paise{245000}, market(13), one_percent)
            .ok());
}

TEST_CASE("orders above the freeze quantity are split into whole-lot slices", "[risk]") {
  const auto plan =
      plan_square_off(PositionFacts{5000, 0}, nifty_call(), Paise{12000}, market(), one_percent);
  REQUIRE(plan.ok());
  REQUIRE(plan.slices.size() == 3);
  CHECK(plan.slices[0].qty == 1800);
  CHECK(plan.slices[1].qty == 1800);
  CHECK(plan.slices[2].qty == 1400);
  for (const auto& s : plan.slices) {
    CHECK(s.side == Side::sell);
    CHECK(s.price == plan.slices[0].price);
  }

  Instrument odd_freeze = nifty_call();
  odd_freeze.freeze_qty = 1810;  // slices stay whole lots below it
  const auto odd =
      plan_square_off(PositionFacts{-2000, 0}, odd_freeze, Paise{12000}, market(), one_percent);
  REQUIRE(odd.ok());
  REQUIRE(odd.slices.size() == 2);
  CHECK(odd.slices[0].qty == 1800);
  CHECK(odd.slices[1].qty == 200);

  Instrument tiny_freeze = nifty_call();
  tiny_freeze.freeze_qty = 10;
  CHECK(plan_square_off(PositionFacts{50, 0}, tiny_freeze, Paise{12000}, market(), one_percent)
            .error == RiskErrc::invalid_quantity);
}

TEST_CASE("a limit square-off price must be positive, on tick and inside the band", "[risk]") {
  const PositionFacts pos{100, 0};
  CHECK(plan_square_off(pos, reliance(), Paise{245000}, limit(10, 245003), one_percent).error ==
        RiskErrc::off_tick);
  CHECK(plan_square_off(pos, reliance(), Paise{245000}, limit(10, 270005), one_percent).error ==
        RiskErrc::outside_band);
  CHECK(plan_square_off(pos, reliance(), Paise{245000}, limit(10, 219995), one_percent).error ==
        RiskErrc::outside_band);
  CHECK(plan_square_off(pos, reliance(), Paise{245000}, SquareOffRequest{10, OrderType::limit, {}},
                        one_percent)
            .error == RiskErrc::invalid_price);
  const auto edge = plan_square_off(pos, reliance(), Paise{245000}, limit(10, 270000), one_percent);
  REQUIRE(edge.ok());
  CHECK(edge.slices[0].price == 270000);
  CHECK(edge.slices[0].order_type == OrderType::limit);
}

TEST_CASE("a market square-off is a limit through the last price by the protection margin",
          "[risk]") {
  Instrument i = nifty_call();
  // Sell: 123.45 * 0.99 = 122.2155 -> down to the 0.05 grid = 122.20.
  auto sell = plan_square_off(PositionFacts{50, 0}, i, Paise{12345}, market(), one_percent);
  REQUIRE(sell.ok());
  CHECK(sell.slices[0].price == 12220);
  // Buy: 123.45 * 1.01 = 124.6845 -> up to the grid = 124.70.
  auto buy = plan_square_off(PositionFacts{-50, 0}, i, Paise{12345}, market(), one_percent);
  REQUIRE(buy.ok());
  CHECK(buy.slices[0].price == 12470);
  // An exact product stays where it is: 100.00 * 0.99 = 99.00.
  CHECK(protected_price(i, Side::sell, Paise{10000}, 100) == Paise{9900});
  CHECK(protected_price(i, Side::buy, Paise{10000}, 100) == Paise{10100});
  CHECK(protected_price(i, Side::sell, Paise{10000}, 0) == Paise{10000});
}

TEST_CASE("a protected price is clamped into the band", "[risk]") {
  Instrument i = reliance();  // band 2200.00 - 2700.00
  CHECK(protected_price(i, Side::sell, Paise{220100}, 500) == Paise{220000});
  CHECK(protected_price(i, Side::buy, Paise{269900}, 500) == Paise{270000});
  i.lower_band = 220003;  // off-grid band edges: the nearest grid prices inside
  i.upper_band = 269998;
  CHECK(protected_price(i, Side::sell, Paise{220100}, 500) == Paise{220005});
  CHECK(protected_price(i, Side::buy, Paise{269900}, 500) == Paise{269995});
  i.lower_band = 300000;  // an empty band: no price
  CHECK_FALSE(protected_price(i, Side::sell, Paise{220100}, 500).has_value());
}

TEST_CASE("without a last price the previous close is the reference", "[risk]") {
  Instrument i = reliance();
  i.prev_close = 250000;
  auto plan = plan_square_off(PositionFacts{10, 0}, i, std::nullopt, market(), one_percent);
  REQUIRE(plan.ok());
  CHECK(plan.slices[0].price == 247500);
  i.prev_close = 0;
  CHECK(plan_square_off(PositionFacts{10, 0}, i, std::nullopt, market(), one_percent).error ==
        RiskErrc::no_reference_price);
}

TEST_CASE("square-offs registered in the book block a second one beyond the position",
          "[risk][book]") {
  Book book("2024-12-02");
  REQUIRE(book.add_instrument(nifty_call()));
  const PositionKey key{"UCC1", "NSE:NIFTY24DEC24000CE", Product::nrml};
  REQUIRE(book.add_carried_forward(key, 4000, 11000));
  book.set_ltp(key.instrument_id, 12000);

  auto send = [&](const SquareOffPlan& plan, int& seq) {
    for (const auto& s : plan.slices) {
      Order o;
      o.cl_ord_id = "IRRA-" + std::to_string(++seq);
      o.ucc = key.ucc;
      o.instrument_id = key.instrument_id;
      o.product = key.product;
      o.side = s.side;
      o.qty = s.qty;
      o.price = s.price;
      o.order_type = s.order_type;
      o.source = OrderSource::backup;
      o.origin = Origin::investor;
      REQUIRE(book.add_pending_order(o));
    }
  };
  int seq = 0;
  const auto first = plan_square_off(book, key, market(2500), one_percent);
  REQUIRE(first.ok());
  CHECK(first.slices.size() == 2);
  CHECK(first.slices[0].price == 11880);
  send(first, seq);
  CHECK(book.squareoff_qty(key) == 1500);
  // The double click: the same request again is refused.
  CHECK(plan_square_off(book, key, market(2500), one_percent).error == RiskErrc::increases_risk);
  const auto rest = plan_square_off(book, key, market(), one_percent);
  REQUIRE(rest.ok());
  CHECK(rest.total_qty() == 1500);
  send(rest, seq);
  CHECK(plan_square_off(book, key, market(), one_percent).error == RiskErrc::increases_risk);

  CHECK(plan_square_off(book, PositionKey{"UCC1", "NSE:NIFTY24DEC24000CE", Product::mis}, market(),
                        one_percent)
            .error == RiskErrc::no_position);
  CHECK(plan_square_off(book, PositionKey{"UCC1", "NSE:UNKNOWN", Product::nrml}, market(),
                        one_percent)
            .error == RiskErrc::no_position);
  REQUIRE(book.add_carried_forward(PositionKey{"UCC1", "NSE:UNKNOWN", Product::nrml}, 5, 100));
  CHECK(plan_square_off(book, PositionKey{"UCC1", "NSE:UNKNOWN", Product::nrml}, market(),
                        one_percent)
            .error == RiskErrc::unknown_instrument);
}

TEST_CASE("risk codes are the contract's error strings", "[risk]") {
  CHECK(to_string(RiskErrc::increases_risk) == "increases_risk");
  CHECK(to_string(RiskErrc::not_lot_multiple) == "not_lot_multiple");
  CHECK(to_string(RiskErrc::off_tick) == "off_tick");
  CHECK(to_string(RiskErrc::outside_band) == "outside_band");
  CHECK(to_string(RiskErrc::no_position) == "no_position");
}

TEST_CASE("an order that adds to, opens or flips a position is risk-adding", "[risk]") {
  Order buy;
  buy.side = Side::buy;
  buy.qty = 50;
  buy.status = OrderStatus::open;
  Order sell = buy;
  sell.side = Side::sell;

  CHECK(is_risk_adding(buy, 100));         // adds to a long
  CHECK_FALSE(is_risk_adding(sell, 100));  // reduces it
  CHECK(is_risk_adding(sell, 0));          // opens a short
  CHECK(is_risk_adding(buy, 0));
  CHECK(is_risk_adding(sell, 40));        // would flip the long
  CHECK_FALSE(is_risk_adding(sell, 50));  // closes it exactly
  CHECK_FALSE(is_risk_adding(buy, -60));
  CHECK(is_risk_adding(sell, -60));

  Position long_100({"UCC1", "NSE:RELIANCE", Product::mis});
  long_100.apply_fill(Side::buy, 100, 245000);
  CHECK(is_risk_adding(buy, long_100));
  CHECK_FALSE(is_risk_adding(sell, long_100));

  sell.filled_qty = 20;  // only the leaves count
  sell.status = OrderStatus::partially_filled;
  CHECK_FALSE(is_risk_adding(sell, 30));
  sell.status = OrderStatus::cancelled;  // a final order adds nothing
  CHECK_FALSE(is_risk_adding(sell, 0));
}

TEST_CASE("square-off-all cancels adding orders and exits that together would flip",
          "[risk][book]") {
  Book book("2024-12-02");
  const PositionKey key{"UCC1", "NSE:RELIANCE", Product::mis};
  REQUIRE(book.add_carried_forward(key, 100, 240000));
  auto open_order = [&](const std::string& id, Side side, Qty qty,
                        const std::string& inst = "NSE:RELIANCE") {
    REQUIRE(
        book.apply(report("E" + id, id, ExecType::new_, OrderStatus::open, side, qty, "UCC1", inst))
            .applied());
  };
  open_order("1", Side::sell, 60);            // exit, kept
  open_order("2", Side::buy, 10);             // adds
  open_order("3", Side::sell, 30);            // exit, kept (60 + 30 <= 100)
  open_order("4", Side::sell, 20);            // 60 + 30 + 20 > 100: would flip
  open_order("5", Side::sell, 5, "NSE:TCS");  // no position there: opens one
  REQUIRE(book.apply(report("E6", "6", ExecType::new_, OrderStatus::open, Side::sell, 5, "UCC2"))
              .applied());  // another client's order is not listed
  std::vector<std::string> ids;
  for (const Order* o : risk_adding_orders(book, "UCC1")) ids.push_back(o->order_id);
  CHECK(ids == std::vector<std::string>{"2", "4", "5"});
}

TEST_CASE("random square-off plans never exceed what may be squared off nor flip the position",
          "[risk][property]") {
  std::mt19937_64 rng(9001);
  auto uni = [&rng](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  int ok = 0, refused = 0;
  for (int run = 0; run < 50000; ++run) {
    Instrument i = uni(0, 1) ? nifty_call() : reliance();
    i.lot_size = i.segment == Segment::eq ? 1 : uni(1, 100);
    i.tick_size = uni(1, 3) * 5;
    i.freeze_qty = uni(0, 5) == 0 ? 0 : uni(1, 3000);
    i.lower_band = uni(1, 100000);
    i.upper_band = i.lower_band + uni(0, 100000);
    i.prev_close = uni(0, 200000);
    const Qty lot = i.lot_size;
    const PositionFacts pos{uni(-60, 60) * (uni(0, 3) == 0 ? 1 : lot), uni(0, 40) * lot};
    SquareOffRequest req;
    if (uni(0, 2) != 0) req.qty = uni(-2, 60) * (uni(0, 3) == 0 ? 1 : lot);
    req.order_type = uni(0, 1) ? OrderType::market : OrderType::limit;
    if (uni(0, 4) != 0) req.price = uni(-10, 220000);
    const std::optional<Paise> ltp =
        uni(0, 4) == 0 ? std::nullopt : std::optional<Paise>(uni(1, 220000));
    const RiskSettings settings{uni(0, 2000)};

    const SquareOffPlan plan = plan_square_off(pos, i, ltp, req, settings);
    if (!plan.ok()) {
      ++refused;
      REQUIRE(plan.slices.empty());
      continue;
    }
    ++ok;
    REQUIRE(!plan.slices.empty());
    const Qty total = plan.total_qty();
    REQUIRE(total > 0);
    REQUIRE(total <= pos.squareoff_qty());
    if (req.qty) REQUIRE(total == *req.qty);
    const Side exit = pos.net_qty > 0 ? Side::sell : Side::buy;
    Qty after = pos.net_qty;
    for (const auto& s : plan.slices) {
      REQUIRE(s.side == exit);
      REQUIRE(s.qty > 0);
      REQUIRE(s.qty <= i.max_order_qty());
      if (i.freeze_qty > 0) REQUIRE(s.qty <= i.freeze_qty);
      REQUIRE(i.is_lot_multiple(s.qty));
      REQUIRE(s.order_type == OrderType::limit);
      REQUIRE(i.on_tick(s.price));
      REQUIRE(i.in_band(s.price));
      REQUIRE(s.price > 0);
      after += sign(s.side) * s.qty;
    }
    // Even with every pending exit filled too, the sign never flips.
    const Qty after_pending = after + sign(exit) * pos.pending_exit_qty;
    REQUIRE((pos.net_qty > 0 ? after_pending >= 0 : after_pending <= 0));
  }
  CHECK(ok > 1000);
  CHECK(refused > 1000);
}

TEST_CASE("repeated square-offs, main-site exits, fills and cancels never flip a position",
          "[risk][book][property]") {
  const Instrument inst = nifty_call();  // lot 25, freeze 1800
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    std::mt19937_64 rng(seed);
    auto uni = [&rng](std::int64_t lo, std::int64_t hi) {
      return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    };
    Book book("2024-12-02");
    REQUIRE(book.add_instrument(inst));
    const PositionKey key{"UCC1", inst.instrument_id, Product::nrml};
    const Qty start = uni(1, 200) * inst.lot_size * (uni(0, 1) ? 1 : -1);
    REQUIRE(book.add_carried_forward(key, start, 12000));
    book.set_ltp(inst.instrument_id, 12000);
    const Side exit = start > 0 ? Side::sell : Side::buy;

    int seq = 0;
    std::vector<std::string> live;  // exchange ids of acknowledged, live orders
    auto report_for = [&](const Order& o, ExecType t, OrderStatus s) {
      const std::string n = std::to_string(++seq);
      ExecReport r = report("E" + n, o.exchange_order_id.empty() ? "X" + n : o.exchange_order_id, t,
                            s, o.side, o.qty, key.ucc, key.instrument_id);
      r.product = key.product;
      r.cl_ord_id = o.cl_ord_id;
      r.cum_qty = o.filled_qty;
      return r;
    };

    for (int step = 0; step < 80; ++step) {
      switch (uni(0, 3)) {
        case 0: {  // an investor square-off through the gate, sent and acknowledged
          SquareOffRequest req = market();
          if (uni(0, 1)) req.qty = uni(1, 100) * inst.lot_size;
          const auto plan = plan_square_off(book, key, req, one_percent);
          for (const auto& s : plan.slices) {
            Order o;
            o.cl_ord_id = "IRRA-" + std::to_string(++seq);
            o.ucc = key.ucc;
            o.instrument_id = key.instrument_id;
            o.product = key.product;
            o.side = s.side;
            o.qty = s.qty;
            o.price = s.price;
            o.source = OrderSource::backup;
            REQUIRE(book.add_pending_order(o));
            const Order* pending = book.order(o.cl_ord_id);
            const auto ack = book.apply(report_for(*pending, ExecType::new_, OrderStatus::open));
            REQUIRE(ack.applied());
            live.push_back(ack.order.exchange_order_id);
          }
          break;
        }
        case 1: {  // the main site's own exit order, within what is left to exit
          const Qty room = book.squareoff_qty(key) / inst.lot_size;
          if (room == 0) break;
          Order o;
          o.side = exit;
          o.qty = uni(1, room) * inst.lot_size;
          o.cl_ord_id = "M-" + std::to_string(seq);
          const auto out = book.apply(report_for(o, ExecType::new_, OrderStatus::open));
          REQUIRE(out.applied());
          live.push_back(out.order.exchange_order_id);
          break;
        }
        case 2: {  // a fill of a live order
          if (live.empty()) break;
          const std::size_t k = static_cast<std::size_t>(uni(0, live.size() - 1));
          const Order* o = book.order_by_exchange_id(live[k]);
          REQUIRE(o != nullptr);
          ExecReport f = report_for(*o, ExecType::trade, OrderStatus::partially_filled);
          f.last_qty = uni(1, o->leaves_qty() / inst.lot_size) * inst.lot_size;
          f.last_px = o->price > 0 ? o->price : 12000;
          f.cum_qty = o->filled_qty + f.last_qty;
          REQUIRE(book.apply(f).applied());
          if (book.order_by_exchange_id(live[k])->is_final()) live.erase(live.begin() + k);
          break;
        }
        default: {  // a cancel of a live order
          if (live.empty()) break;
          const std::size_t k = static_cast<std::size_t>(uni(0, live.size() - 1));
          const Order* o = book.order_by_exchange_id(live[k]);
          REQUIRE(
              book.apply(report_for(*o, ExecType::cancelled, OrderStatus::cancelled)).applied());
          live.erase(live.begin() + k);
          break;
        }
      }
      const Qty net = book.position(key)->net_qty();
      INFO("seed " << seed << " step " << step << " net " << net);
      REQUIRE((start > 0 ? net >= 0 : net <= 0));
      REQUIRE(book.pending_exit_qty(key) <= (net < 0 ? -net : net));
    }
  }
}
