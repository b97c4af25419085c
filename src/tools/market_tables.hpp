// Reference data the generator draws from: well-known NSE stocks and indices with
// plausible prices and lot sizes, and Indian given names and surnames. Prices are paise on
// the 0.05 tick grid; they are examples for demos and tests, not market data.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace irra::tools {

struct stock_ref {
  std::string_view symbol;
  std::int64_t price;   // paise
  std::int64_t fo_lot;  // 0 = not in the F&O segment
};

struct index_ref {
  std::string_view exchange;
  std::string_view symbol;
  std::int64_t spot;  // paise
  std::int64_t lot;
  std::int64_t freeze_qty;
  std::int64_t strike_step;  // paise
};

struct currency_ref {
  std::string_view segment;  // "CD" or "COM"
  std::string_view symbol;
  std::int64_t price;  // paise
  std::int64_t tick;   // paise
  std::int64_t freeze_qty;
  std::int64_t band_pct;
};

// CD and COM alternate in their table so that even two of them show both segments.
// The first five stocks are the demo's (RELIANCE, TCS, INFY, HDFCBANK, SBIN); the first
// two indices are NIFTY and BANKNIFTY.
std::span<const stock_ref> stock_table();
std::span<const index_ref> index_table();
std::span<const currency_ref> currency_commodity_table();

std::span<const std::string_view> male_names();
std::span<const std::string_view> female_names();
std::span<const std::string_view> surnames();
std::span<const std::string_view> firm_words();
std::span<const std::string_view> firm_suffixes();
std::span<const std::string_view> email_domains();
std::span<const std::string_view> nicknames();

}  // namespace irra::tools
