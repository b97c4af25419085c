// The instruments of a generated dump: NSE equities (a few also on BSE), index and stock
// futures and options for the near months of the trading date, and a few currency and
// commodity futures. Built from market_tables without randomness, so a demo's instruments
// and prices depend only on --instruments and --trading-date.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace irra::tools {

enum class segment { eq, fo, cd, com };

struct instrument {
  std::string id;  // exchange + ":" + symbol
  std::string exchange;
  std::string symbol;
  segment seg = segment::eq;
  std::int64_t lot_size = 1;
  std::int64_t tick = 5;  // paise
  std::int64_t freeze_qty = 0;
  std::int64_t lower_band = 0;  // paise
  std::int64_t upper_band = 0;  // paise
  std::int64_t prev_close = 0;  // paise
};

// Indexes into instrument_catalog::all of the instruments the fixed demo clients hold.
struct demo_instruments {
  std::size_t reliance, tcs, infy, hdfcbank, sbin;
  std::size_t nifty_fut, banknifty_fut, nifty_ce, nifty_pe, banknifty_ce, banknifty_pe;
};

class instrument_catalog {
 public:
  static constexpr std::int64_t min_count = 20;
  static constexpr std::int64_t max_count = 200000;

  // count within [min_count, max_count].
  instrument_catalog(std::int64_t count, std::chrono::year_month_day trading_date);

  const std::vector<instrument>& all() const { return all_; }
  const std::vector<std::size_t>& equities() const { return equities_; }
  const std::vector<std::size_t>& derivatives() const { return derivatives_; }  // FO
  const std::vector<std::size_t>& others() const { return others_; }            // CD, COM
  const demo_instruments& demo() const { return demo_; }

  static std::string_view segment_name(segment s);

 private:
  void add(std::string exchange, std::string symbol, segment seg, std::int64_t lot,
           std::int64_t tick, std::int64_t freeze, std::int64_t prev, std::int64_t band_pct);
  void add_options(std::int64_t count, const std::vector<std::string>& series);

  std::vector<instrument> all_;
  std::vector<std::size_t> equities_;
  std::vector<std::size_t> derivatives_;
  std::vector<std::size_t> others_;
  demo_instruments demo_{};
};

}  // namespace irra::tools
