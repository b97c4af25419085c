#include "portfolio_factory.hpp"

#include <algorithm>
#include <array>

namespace irra::tools {
namespace {

bool taken(const std::vector<position>& held, std::size_t instrument, std::string_view product) {
  return std::any_of(held.begin(), held.end(), [&](const position& p) {
    return p.instrument == instrument && p.product == product;
  });
}

// Most retail quantities are small; a few are large.
std::int64_t share_qty(det_rng& rng) {
  return rng.percent(75) ? rng.between(1, 100) : rng.between(101, 1000);
}

// The first (instrument, product) pair from `start` on that the client does not hold yet.
position first_free(const std::vector<position>& held, std::size_t start,
                    const std::vector<instrument>& all) {
  for (std::size_t off = 0; off < all.size(); ++off) {
    const std::size_t i = (start + off) % all.size();
    const auto& in = all[i];
    const bool eq = in.seg == segment::eq;
    for (const std::string_view product : {eq ? "CNC" : "NRML", "MIS"})
      if (!taken(held, i, product)) return {i, product, eq ? 1 : in.lot_size, in.prev_close};
  }
  return {start, "NRML", 0, 0};  // unreachable while count <= instruments
}

}  // namespace

std::int64_t portfolio_factory::price_near(std::size_t instrument, std::int64_t pct,
                                           det_rng& rng) const {
  const auto& in = catalog_.all()[instrument];
  const std::int64_t ticks = in.prev_close / in.tick;
  const std::int64_t spread = ticks * pct / 100;
  return std::max<std::int64_t>(1, ticks + rng.between(-spread, spread)) * in.tick;
}

position portfolio_factory::random_position(det_rng& rng) const {
  const std::uint64_t kind = rng.below(100);
  const auto& list = kind < 50                                ? catalog_.equities()
                     : kind < 92 || catalog_.others().empty() ? catalog_.derivatives()
                                                              : catalog_.others();
  position p;
  p.instrument = list[rng.below(list.size())];
  const auto& in = catalog_.all()[p.instrument];
  if (in.seg == segment::eq) {
    const std::uint64_t r = rng.below(100);
    p.product = r < 45 ? "CNC" : r < 75 ? "MIS" : "MTF";
    p.net_qty = share_qty(rng);
    // Only an intraday position can be short in the cash market.
    if (p.product == "MIS" && rng.percent(40)) p.net_qty = -p.net_qty;
  } else {
    p.product = rng.percent(75) ? "NRML" : "MIS";
    const std::int64_t lots = rng.percent(80) ? rng.between(1, 4) : rng.between(5, 20);
    p.net_qty = lots * in.lot_size * (rng.percent(40) ? -1 : 1);
  }
  p.avg_price = price_near(p.instrument, 5, rng);
  return p;
}

void portfolio_factory::make_positions(std::int64_t client_index, std::int64_t count, det_rng& rng,
                                       std::vector<position>& out) const {
  out.clear();
  if (client_index < 5) {
    // The demo's clients: fixed positions, long and short, MIS and NRML, in lots for F&O.
    struct fixed {
      std::size_t instrument;
      std::string_view product;
      std::int64_t qty;  // shares, or lots for derivatives
      std::int64_t ticks_from_close;
    };
    const auto& d = catalog_.demo();
    const std::array<std::array<fixed, 5>, 5> book{{
        {{{d.reliance, "MIS", 100, -12},
          {d.nifty_fut, "NRML", -3, 40},
          {d.tcs, "CNC", 10, -300},
          {d.nifty_ce, "NRML", 2, -20},
          {d.sbin, "MIS", -200, 6}}},
        {{{d.banknifty_fut, "NRML", 2, -150},
          {d.infy, "MIS", -50, 9},
          {d.hdfcbank, "CNC", 25, 80},
          {d.nifty_pe, "MIS", -1, 15},
          {d.reliance, "MTF", 40, -60}}},
        {{{d.nifty_fut, "MIS", 1, -8},
          {d.sbin, "CNC", 300, -140},
          {d.banknifty_ce, "NRML", -1, 30},
          {d.tcs, "MIS", 5, 4},
          {d.infy, "MTF", 20, -90}}},
        {{{d.hdfcbank, "MIS", -40, 7},
          {d.banknifty_pe, "NRML", 3, -25},
          {d.nifty_fut, "NRML", 2, 55},
          {d.infy, "CNC", 15, 200},
          {d.reliance, "MIS", 60, -3}}},
        {{{d.nifty_ce, "MIS", -4, 10},
          {d.banknifty_fut, "MIS", -1, 22},
          {d.reliance, "CNC", 5, -500},
          {d.tcs, "MTF", 8, 70},
          {d.sbin, "MIS", 150, -2}}},
    }};
    for (const fixed& f : book[static_cast<std::size_t>(client_index)]) {
      if (std::ssize(out) == count) return;
      const auto& in = catalog_.all()[f.instrument];
      const std::int64_t avg = std::max(in.tick, in.prev_close + f.ticks_from_close * in.tick);
      out.push_back({f.instrument, f.product, f.qty * in.lot_size, avg});
    }
  }
  while (std::ssize(out) < count) {
    position p = random_position(rng);
    // A client holds at most one position per instrument and product.
    for (int tries = 0; taken(out, p.instrument, p.product) && tries < 64; ++tries)
      p = random_position(rng);
    // Rare with few positions per client; count <= instruments guarantees a free one.
    if (taken(out, p.instrument, p.product)) p = first_free(out, p.instrument, catalog_.all());
    out.push_back(p);
  }
}

void portfolio_factory::make_holdings(std::int64_t count, det_rng& rng,
                                      std::vector<holding>& out) const {
  out.clear();
  const auto& eq = catalog_.equities();
  while (std::ssize(out) < count) {
    std::size_t instrument = eq[rng.below(eq.size())];
    while (std::any_of(out.begin(), out.end(),
                       [&](const holding& h) { return h.instrument == instrument; }))
      instrument = eq[rng.below(eq.size())];
    // Holdings were bought over years: the average sits further from today's close.
    out.push_back({instrument, share_qty(rng), price_near(instrument, 30, rng)});
  }
}

funds portfolio_factory::make_funds(det_rng& rng) const {
  const std::uint64_t tier = rng.below(100);
  funds f;
  f.opening_balance = tier < 60   ? rng.between(1000'00, 1'00'000'00)
                      : tier < 90 ? rng.between(1'00'000'00, 10'00'000'00)
                                  : rng.between(10'00'000'00, 1'00'00'000'00);
  f.margin_used = rng.between(0, f.opening_balance * 6 / 10);
  f.collateral = rng.percent(50) ? 0 : rng.between(0, f.opening_balance * 2);
  return f;
}

}  // namespace irra::tools
