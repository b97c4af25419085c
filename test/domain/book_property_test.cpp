// Property-style tests: random interleavings of many orders' reports, with duplicates
// from a second session and corrupted fills, checked against an independent tally.
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "irra/domain/book.hpp"
#include "report_builder.hpp"

using namespace irra::domain;
using namespace irra::domain::testing;

namespace {

struct Script {
  std::vector<ExecReport> reports;  // in the exchange's order for one order
};

struct Tally {
  std::map<std::string, Qty> net;  // ucc|instrument|product -> signed qty
  std::map<std::string, Qty> filled_by_order;
  std::set<std::string> trade_ids;
};

std::string key_text(const std::string& ucc, const std::string& inst, Product p) {
  return ucc + "|" + inst + "|" + std::string(to_string(p));
}

}  // namespace

TEST_CASE("random report streams keep the mirror equal to the trades, duplicates once",
          "[book][property]") {
  const std::vector<std::string> uccs{"A", "B", "C"};
  const std::vector<std::string> instruments{"NSE:RELIANCE", "NSE:TCS"};
  const std::vector<Product> products{Product::mis, Product::nrml};

  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    std::mt19937_64 rng(seed);
    auto pick = [&rng](std::size_t n) {
      return static_cast<std::size_t>(std::uniform_int_distribution<std::size_t>(0, n - 1)(rng));
    };
    auto chance = [&rng](int percent) {
      return std::uniform_int_distribution<int>(1, 100)(rng) <= percent;
    };
    Book book("2024-12-02");
    Tally tally;

    // Carried-forward openings.
    for (const auto& u : uccs) {
      for (const auto& i : instruments) {
        for (Product p : products) {
          if (!chance(50)) continue;
          const Qty q = std::uniform_int_distribution<Qty>(-200, 200)(rng);
          REQUIRE(book.add_carried_forward(PositionKey{u, i, p}, q, 240000 + 5 * pick(100)));
          tally.net[key_text(u, i, p)] += q;
        }
      }
    }

    // Scripts: each order's reports in exchange order.
    std::vector<Script> scripts;
    int exec_seq = 0;
    const int n_orders = 40;
    for (int k = 0; k < n_orders; ++k) {
      const std::string ucc = uccs[pick(uccs.size())];
      const std::string inst = instruments[pick(instruments.size())];
      const Product product = products[pick(products.size())];
      const Side side = chance(50) ? Side::buy : Side::sell;
      const Qty qty = std::uniform_int_distribution<Qty>(1, 300)(rng);
      const bool backup = chance(30);
      const std::string exch_id = "X" + std::to_string(k);
      const std::string cl_ord = (backup ? "IRRA-" : "M-") + std::to_string(k);

      if (backup) {
        Order o;
        o.cl_ord_id = cl_ord;
        o.ucc = ucc;
        o.instrument_id = inst;
        o.product = product;
        o.side = side;
        o.qty = qty;
        o.price = 245000;
        o.source = OrderSource::backup;
        o.origin = Origin::investor;
        REQUIRE(book.add_pending_order(o));
      }

      Script s;
      auto base = [&](ExecType t, OrderStatus st) {
        ExecReport r =
            report("EX" + std::to_string(++exec_seq), exch_id, t, st, side, qty, ucc, inst);
        r.cl_ord_id = cl_ord;
        r.product = product;
        return r;
      };
      // The exchange acknowledges every order; the mirror may still miss a main-site ack
      // (the order was placed before the feed started), never one of IRRA's own.
      if (backup || chance(85)) s.reports.push_back(base(ExecType::new_, OrderStatus::open));
      Qty cum = 0;
      while (cum < qty && chance(75)) {
        const Qty last = std::uniform_int_distribution<Qty>(1, qty - cum)(rng);
        cum += last;
        ExecReport r =
            base(ExecType::trade, cum == qty ? OrderStatus::filled : OrderStatus::partially_filled);
        r.last_qty = last;
        r.last_px = 240000 + 5 * static_cast<Paise>(pick(2000));
        r.cum_qty = cum;
        r.leaves_qty = qty - cum;
        s.reports.push_back(r);
      }
      if (cum < qty && chance(50)) {
        ExecReport r =
            base(chance(50) ? ExecType::cancelled : ExecType::expired, OrderStatus::cancelled);
        r.ord_status =
            r.exec_type == ExecType::cancelled ? OrderStatus::cancelled : OrderStatus::expired;
        r.cum_qty = cum;
        s.reports.push_back(r);
      }
      scripts.push_back(std::move(s));
    }

    // Interleave: per order in sequence, orders at random; replay old reports as duplicates
    // and send corrupted fills that must be refused.
    std::vector<std::size_t> next(scripts.size(), 0);
    std::vector<ExecReport> sent;
    std::size_t remaining = 0;
    for (const auto& s : scripts) remaining += s.reports.size();
    int duplicates = 0, corrupted = 0;
    while (remaining > 0) {
      if (!sent.empty() && chance(20)) {
        const auto out = book.apply(sent[pick(sent.size())]);
        REQUIRE(out.status == ApplyStatus::duplicate);
        ++duplicates;
        continue;
      }
      const std::size_t k = pick(scripts.size());
      if (next[k] == scripts[k].reports.size()) continue;
      const ExecReport& r = scripts[k].reports[next[k]];
      if (r.exec_type == ExecType::trade && chance(10)) {
        ExecReport bad = r;
        bad.exec_id = "BAD" + std::to_string(corrupted++);
        bad.cum_qty += chance(50) ? 1 : -1;
        REQUIRE(book.apply(bad).status == ApplyStatus::refused);
      }
      const auto out = book.apply(r);
      INFO("seed " << seed << " exec " << r.exec_id << " " << out.reason);
      REQUIRE(out.applied());
      if (r.exec_type == ExecType::trade) {
        REQUIRE(out.trade.has_value());
        tally.net[key_text(r.ucc, r.instrument_id, r.product)] += sign(r.side) * r.last_qty;
        tally.filled_by_order[out.order.order_id] += r.last_qty;
        tally.trade_ids.insert(r.exec_id);
      }
      sent.push_back(r);
      ++next[k];
      --remaining;
    }
    CHECK(duplicates > 0);

    // Net quantity = carried forward + signed sum of the trades, by the tally and by the book.
    std::map<std::string, Qty> from_trades;
    for (const Position& p : book.positions()) {
      from_trades[key_text(p.key().ucc, p.key().instrument_id, p.key().product)] +=
          p.carried_forward_qty();
    }
    for (const Trade& t : book.trades()) {
      from_trades[key_text(t.ucc, t.instrument_id, t.product)] += sign(t.side) * t.qty;
    }
    for (const Position& p : book.positions()) {
      const auto k = key_text(p.key().ucc, p.key().instrument_id, p.key().product);
      REQUIRE(p.net_qty() == tally.net[k]);
      REQUIRE(p.net_qty() == from_trades[k]);
      const Paise ltp = 245000;
      REQUIRE(p.realized_pnl() + p.unrealized_pnl(ltp) == p.cash_flow() + p.net_qty() * ltp);
    }
    REQUIRE(book.trades().size() == tally.trade_ids.size());

    // Orders: filled_qty is the sum of their fills; pending exit matches a brute-force count.
    for (const Order& o : book.orders()) {
      REQUIRE(o.filled_qty == tally.filled_by_order[o.order_id]);
      REQUIRE(o.filled_qty <= o.qty);
    }
    for (const Position& p : book.positions()) {
      Qty expected = 0;
      if (p.net_qty() != 0) {
        const Side exit = p.net_qty() > 0 ? Side::sell : Side::buy;
        for (const Order& o : book.orders()) {
          if (o.ucc == p.key().ucc && o.instrument_id == p.key().instrument_id &&
              o.product == p.key().product && o.side == exit && !o.is_final()) {
            expected += o.qty - o.filled_qty;
          }
        }
      }
      REQUIRE(book.pending_exit_qty(p.key()) == expected);
      const Qty open = p.net_qty() < 0 ? -p.net_qty() : p.net_qty();
      REQUIRE(book.squareoff_qty(p.key()) == std::max<Qty>(0, open - expected));
    }
  }
}
