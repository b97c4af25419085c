// Money and quantities as exact integers: prices and amounts in paise, never floating point.
// Pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace irra::domain {

// An amount or price in paise (1 rupee = 100 paise).
using Paise = std::int64_t;
// A number of shares or contracts (not lots).
using Qty = std::int64_t;

// The largest quantity and price IRRA accepts from any input (feed, dump, request): far
// above anything traded (1e9 units; 1 crore rupees a unit), and small enough that
// qty * price, and a few such sums, stay exact in int64.
inline constexpr Qty max_qty = 1'000'000'000;
inline constexpr Paise max_price = 1'000'000'000;

// Parses decimal rupees: an optional '-', one or more digits, and optionally '.' followed by
// one or two digits ("2450", "2450.5", "2450.05", "-12.30"). Anything else (empty, spaces,
// '+', exponent, more than two decimals, a bare '.', overflow of int64 paise) is nullopt.
std::optional<Paise> parse_rupees(std::string_view text);

// Exact decimal rupees with two decimals: 245050 -> "2450.50", -5 -> "-0.05".
std::string format_rupees(Paise amount);

}  // namespace irra::domain
