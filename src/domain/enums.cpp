#include "irra/domain/enums.hpp"

#include <array>
#include <cstddef>

namespace irra::domain {
namespace {

// One table per enum, indexed by the enumerator's value, so to_string and parse agree.
constexpr std::array<std::string_view, 2> side_names{"BUY", "SELL"};
constexpr std::array<std::string_view, 4> product_names{"MIS", "NRML", "CNC", "MTF"};
constexpr std::array<std::string_view, 4> segment_names{"EQ", "FO", "CD", "COM"};
constexpr std::array<std::string_view, 2> order_type_names{"MARKET", "LIMIT"};
constexpr std::array<std::string_view, 7> order_status_names{
    "PENDING", "OPEN", "PARTIALLY_FILLED", "FILLED", "CANCELLED", "REJECTED", "EXPIRED"};
constexpr std::array<std::string_view, 2> order_source_names{"main", "backup"};
constexpr std::array<std::string_view, 3> origin_names{"investor", "staff", "bulk"};
constexpr std::array<std::string_view, 6> exec_type_names{"NEW",      "TRADE",   "CANCELLED",
                                                          "REJECTED", "EXPIRED", "OTHER"};

template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, E v) {
  const auto i = static_cast<std::size_t>(v);
  return i < N ? names[i] : std::string_view{};
}

template <typename E, std::size_t N>
std::optional<E> parse_in(const std::array<std::string_view, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Side v) {
  return name_of(side_names, v);
}
std::string_view to_string(Product v) {
  return name_of(product_names, v);
}
std::string_view to_string(Segment v) {
  return name_of(segment_names, v);
}
std::string_view to_string(OrderType v) {
  return name_of(order_type_names, v);
}
std::string_view to_string(OrderStatus v) {
  return name_of(order_status_names, v);
}
std::string_view to_string(OrderSource v) {
  return name_of(order_source_names, v);
}
std::string_view to_string(Origin v) {
  return name_of(origin_names, v);
}
std::string_view to_string(ExecType v) {
  return name_of(exec_type_names, v);
}

std::optional<Side> parse_side(std::string_view t) {
  return parse_in<Side>(side_names, t);
}
std::optional<Product> parse_product(std::string_view t) {
  return parse_in<Product>(product_names, t);
}
std::optional<Segment> parse_segment(std::string_view t) {
  return parse_in<Segment>(segment_names, t);
}
std::optional<OrderType> parse_order_type(std::string_view t) {
  return parse_in<OrderType>(order_type_names, t);
}
std::optional<OrderStatus> parse_order_status(std::string_view t) {
  return parse_in<OrderStatus>(order_status_names, t);
}
std::optional<OrderSource> parse_order_source(std::string_view t) {
  return parse_in<OrderSource>(order_source_names, t);
}
std::optional<Origin> parse_origin(std::string_view t) {
  return parse_in<Origin>(origin_names, t);
}
std::optional<ExecType> parse_exec_type(std::string_view t) {
  return parse_in<ExecType>(exec_type_names, t);
}

}  // namespace irra::domain
