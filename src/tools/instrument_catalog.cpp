#include "instrument_catalog.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "market_tables.hpp"

namespace irra::tools {
namespace {

using namespace std::chrono;

constexpr std::int64_t eq_tick = 5;  // 0.05 rupees
constexpr std::int64_t eq_freeze = 100000;
constexpr std::int64_t eq_band_pct = 10;
constexpr std::int64_t fut_band_pct = 20;
constexpr std::int64_t opt_band_pct = 40;
constexpr std::int64_t stock_fo_freeze_lots = 20;

std::int64_t round_nearest(std::int64_t p, std::int64_t tick) {
  return std::max(tick, (p + tick / 2) / tick * tick);
}
std::int64_t round_up(std::int64_t p, std::int64_t tick) {
  return std::max(tick, (p + tick - 1) / tick * tick);
}
std::int64_t round_down(std::int64_t p, std::int64_t tick) {
  return p / tick * tick;
}

// Monthly contracts expire on the last Thursday of the month; after that day the next
// month's series is the near one. Returns codes like "24DEC" for the near three months.
std::vector<std::string> series_codes(year_month_day date) {
  static constexpr std::array<const char*, 12> mon{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  year_month ym = date.year() / date.month();
  const sys_days expiry{ym / Thursday[last]};
  if (sys_days{date} > expiry) ym += months{1};
  std::vector<std::string> codes;
  for (int i = 0; i < 3; ++i) {
    const year_month m = ym + months{i};
    const int yy = static_cast<int>(m.year()) % 100;
    std::string code;
    code.push_back(static_cast<char>('0' + yy / 10));
    code.push_back(static_cast<char>('0' + yy % 10));
    code += mon[static_cast<unsigned>(m.month()) - 1];
    codes.push_back(code);
  }
  return codes;
}

// A strike step that gives a few dozen strikes around the spot: whole rupees, so the
// symbol never needs a decimal point.
std::int64_t stock_strike_step(std::int64_t spot) {
  static constexpr std::array<std::int64_t, 8> steps{100, 200, 500, 1000, 2000, 5000, 10000, 25000};
  std::int64_t step = steps[0];
  for (const std::int64_t s : steps)
    if (s <= spot / 40) step = s;
  return step;
}

// Futures trade at a small carry over spot, more for later months.
std::int64_t future_price(std::int64_t spot, int series) {
  return spot * (1000 + 6 * (series + 1)) / 1000;
}

// A rough option premium: intrinsic value plus a time value that fades away from the
// money. Only +, -, *, / on doubles, which IEEE 754 rounds the same everywhere.
std::int64_t option_premium(std::int64_t underlying, std::int64_t strike, bool call, int series,
                            std::int64_t tick) {
  const std::int64_t spot = future_price(underlying, series);  // calls priced off the forward
  const std::int64_t intrinsic = std::max<std::int64_t>(0, call ? spot - strike : strike - spot);
  const double tv0 = static_cast<double>(spot) * (0.025 + 0.01 * series);
  const double w = static_cast<double>(spot) * 0.04;
  const double d = static_cast<double>(spot - strike);
  const auto tv = static_cast<std::int64_t>(tv0 * (w * w) / (w * w + d * d));
  return round_nearest(intrinsic + tv, tick);
}

std::string rupees_text(std::int64_t paise) {
  return std::to_string(paise / 100);
}

}  // namespace

std::string_view instrument_catalog::segment_name(segment s) {
  switch (s) {
    case segment::eq:
      return "EQ";
    case segment::fo:
      return "FO";
    case segment::cd:
      return "CD";
    case segment::com:
      return "COM";
  }
  return "EQ";
}

void instrument_catalog::add(std::string exchange, std::string symbol, segment seg,
                             std::int64_t lot, std::int64_t tick, std::int64_t freeze,
                             std::int64_t prev, std::int64_t band_pct) {
  instrument in;
  in.id = exchange + ":" + symbol;
  in.exchange = std::move(exchange);
  in.symbol = std::move(symbol);
  in.seg = seg;
  in.lot_size = lot;
  in.tick = tick;
  in.freeze_qty = freeze;
  in.prev_close = round_nearest(prev, tick);
  // Both bands on the tick grid and no further than band_pct from the close.
  in.lower_band = round_up((in.prev_close * (100 - band_pct) + 99) / 100, tick);
  in.upper_band = round_down(in.prev_close * (100 + band_pct) / 100, tick);
  const std::size_t index = all_.size();
  all_.push_back(std::move(in));
  if (seg == segment::eq)
    equities_.push_back(index);
  else if (seg == segment::fo)
    derivatives_.push_back(index);
  else
    others_.push_back(index);
}

instrument_catalog::instrument_catalog(std::int64_t count, year_month_day trading_date) {
  if (count < min_count || count > max_count)
    throw std::invalid_argument("instrument count out of range");
  const auto series = series_codes(trading_date);
  const auto stocks = stock_table();
  const auto indices = index_table();
  const auto extras = currency_commodity_table();
  all_.reserve(static_cast<std::size_t>(count));

  const auto n_bse = std::clamp<std::int64_t>(count / 40, 1, 10);
  const auto n_other = std::clamp<std::int64_t>(count / 50, 2, std::ssize(extras));
  const auto n_eq = std::min<std::int64_t>(std::ssize(stocks), count * 40 / 100);

  for (std::int64_t i = 0; i < n_eq; ++i) {
    const auto& s = stocks[static_cast<std::size_t>(i)];
    add("NSE", std::string(s.symbol), segment::eq, 1, eq_tick, eq_freeze, s.price, eq_band_pct);
  }
  for (std::int64_t i = 0; i < n_bse; ++i) {
    const auto& s = stocks[static_cast<std::size_t>(i)];
    add("BSE", std::string(s.symbol), segment::eq, 1, eq_tick, eq_freeze, s.price, eq_band_pct);
  }

  // Futures: index series first (most traded), then stock futures of the listed stocks.
  const auto n_fut_wanted = count * 15 / 100;
  std::int64_t n_fut = 0;
  auto add_future = [&](std::string_view exch, std::string_view sym, std::int64_t lot,
                        std::int64_t freeze, std::int64_t spot, int s) {
    if (n_fut >= n_fut_wanted) return;
    const std::int64_t price = future_price(spot, s);
    add(std::string(exch), std::string(sym) + series[static_cast<std::size_t>(s)] + "FUT",
        segment::fo, lot, eq_tick, freeze, price, fut_band_pct);
    ++n_fut;
  };
  for (int s = 0; s < 3; ++s)
    for (const auto& ix : indices)
      add_future(ix.exchange, ix.symbol, ix.lot, ix.freeze_qty, ix.spot, s);
  for (int s = 0; s < 2; ++s)
    for (std::int64_t i = 0; i < n_eq; ++i) {
      const auto& st = stocks[static_cast<std::size_t>(i)];
      if (st.fo_lot > 0)
        add_future("NSE", st.symbol, st.fo_lot, st.fo_lot * stock_fo_freeze_lots, st.price, s);
    }

  const std::size_t first_option = derivatives_.size();
  add_options(count - n_eq - n_bse - n_fut - n_other, series);

  for (std::int64_t i = 0; i < n_other; ++i) {
    const auto& x = extras[static_cast<std::size_t>(i)];
    add("NSE", std::string(x.symbol) + series[0] + "FUT",
        x.segment == "CD" ? segment::cd : segment::com, 1, x.tick, x.freeze_qty, x.price,
        x.band_pct);
  }

  demo_ = demo_instruments{equities_[0],
                           equities_[1],
                           equities_[2],
                           equities_[3],
                           equities_[4],
                           derivatives_[0],
                           derivatives_[1],
                           derivatives_[first_option],
                           derivatives_[first_option + 1],
                           derivatives_[first_option + 2],
                           derivatives_[first_option + 3]};
}

// Strikes spread outwards from the money (ATM, +1, -1, +2, ...) over every option chain
// in turn, calls and puts in pairs, so any count gives a plausible mix. The first four
// are NIFTY and BANKNIFTY near-month at-the-money calls and puts (the demo's).
void instrument_catalog::add_options(std::int64_t count, const std::vector<std::string>& series) {
  struct chain {
    std::string exchange, underlying;
    std::int64_t spot, lot, freeze, step;
    int series;
  };
  std::vector<chain> chains;
  const auto indices = index_table();
  const auto add_index_chain = [&](std::size_t i, int s) {
    const auto& ix = indices[i];
    chains.push_back({std::string(ix.exchange), std::string(ix.symbol), ix.spot, ix.lot,
                      ix.freeze_qty, ix.strike_step, s});
  };
  for (int s = 0; s < 2; ++s)
    for (std::size_t i = 0; i < 2; ++i) add_index_chain(i, s);
  for (int s = 0; s < 2; ++s)
    for (std::size_t i = 2; i < indices.size(); ++i) add_index_chain(i, s);
  for (const auto& st : stock_table())
    if (st.fo_lot > 0 && std::any_of(equities_.begin(), equities_.end(),
                                     [&](std::size_t e) { return all_[e].symbol == st.symbol; }))
      chains.push_back({"NSE", std::string(st.symbol), st.price, st.fo_lot,
                        st.fo_lot * stock_fo_freeze_lots, stock_strike_step(st.price), 0});

  std::int64_t added = 0;
  for (std::int64_t j = 0; added < count; ++j) {
    const std::int64_t offset = (j + 1) / 2 * (j % 2 == 1 ? 1 : -1);
    for (const auto& c : chains) {
      const std::int64_t atm = (c.spot + c.step / 2) / c.step * c.step;
      const std::int64_t strike = atm + offset * c.step;
      if (strike <= 0) continue;
      for (const bool call : {true, false}) {
        if (added == count) return;
        const std::string symbol = c.underlying + series[static_cast<std::size_t>(c.series)] +
                                   rupees_text(strike) + (call ? "CE" : "PE");
        add(c.exchange, symbol, segment::fo, c.lot, eq_tick, c.freeze,
            option_premium(c.spot, strike, call, c.series, eq_tick), opt_band_pct);
        ++added;
      }
    }
  }
}

}  // namespace irra::tools
