// The trade's small vocabularies, each with its contract spelling (interfaces.md sections 3-5)
// and a parser that refuses anything else. Pure functions, safe from any thread.
#pragma once

#include <optional>
#include <string_view>

namespace irra::domain {

enum class Side { buy, sell };               // "BUY", "SELL"
enum class Product { mis, nrml, cnc, mtf };  // "MIS", "NRML", "CNC", "MTF"
enum class Segment { eq, fo, cd, com };      // "EQ", "FO", "CD", "COM"
enum class OrderType { market, limit };      // "MARKET", "LIMIT"
// "PENDING", "OPEN", "PARTIALLY_FILLED", "FILLED", "CANCELLED", "REJECTED", "EXPIRED"
enum class OrderStatus { pending, open, partially_filled, filled, cancelled, rejected, expired };
// Where an order was placed: the broker's main site, or this backup ("main", "backup").
enum class OrderSource { main, backup };
// Who placed a backup order: the investor, staff on the investor's behalf, or the broker's
// bulk intraday square-off ("investor", "staff", "bulk").
enum class Origin { investor, staff, bulk };
// What an execution report says happened (FIX ExecType 0, F, 4, 8, C; everything else,
// such as pending-cancel, replaced or restated, is `other`). "NEW", "TRADE", "CANCELLED",
// "REJECTED", "EXPIRED", "OTHER".
enum class ExecType { new_, trade, cancelled, rejected, expired, other };

std::string_view to_string(Side v);
std::string_view to_string(Product v);
std::string_view to_string(Segment v);
std::string_view to_string(OrderType v);
std::string_view to_string(OrderStatus v);
std::string_view to_string(OrderSource v);
std::string_view to_string(Origin v);
std::string_view to_string(ExecType v);

// Exact, case-sensitive contract spellings; nullopt otherwise.
std::optional<Side> parse_side(std::string_view text);
std::optional<Product> parse_product(std::string_view text);
std::optional<Segment> parse_segment(std::string_view text);
std::optional<OrderType> parse_order_type(std::string_view text);
std::optional<OrderStatus> parse_order_status(std::string_view text);
std::optional<OrderSource> parse_order_source(std::string_view text);
std::optional<Origin> parse_origin(std::string_view text);
std::optional<ExecType> parse_exec_type(std::string_view text);

constexpr Side opposite(Side s) {
  return s == Side::buy ? Side::sell : Side::buy;
}

// +1 for a buy, -1 for a sell: a fill changes the net quantity by sign(side) * qty.
constexpr int sign(Side s) {
  return s == Side::buy ? 1 : -1;
}

// FILLED, CANCELLED, REJECTED and EXPIRED accept no further change.
constexpr bool is_final(OrderStatus s) {
  return s == OrderStatus::filled || s == OrderStatus::cancelled || s == OrderStatus::rejected ||
         s == OrderStatus::expired;
}

}  // namespace irra::domain
