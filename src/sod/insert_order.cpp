#include "insert_order.hpp"

#include <algorithm>
#include <numeric>
#include <string_view>
#include <utility>

namespace irra::sod {
namespace {

template <class Row, class Key>
std::vector<std::uint32_t> sorted_by(const std::vector<Row>& rows, Key key) {
  std::vector<std::uint32_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0U);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::string_view(key(rows[a])) < std::string_view(key(rows[b]));
  });
  return order;
}

std::vector<std::uint32_t> ranks(const std::vector<std::uint32_t>& order) {
  std::vector<std::uint32_t> rank(order.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) rank[order[i]] = i;
  return rank;
}

// The products' spellings in byte order: CNC < MIS < MTF < NRML.
std::uint64_t product_rank(domain::Product p) {
  switch (p) {
    case domain::Product::cnc:
      return 0;
    case domain::Product::mis:
      return 1;
    case domain::Product::mtf:
      return 2;
    case domain::Product::nrml:
      return 3;
  }
  return 3;
}

// Sorts rows by a packed integer key (client and instrument ranks fit: read_dump bounds
// every table to 100,000,000 rows).
template <class Row, class Pack>
std::vector<std::uint32_t> sorted_by_key(const std::vector<Row>& rows, Pack pack) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed(rows.size());
  for (std::uint32_t i = 0; i < rows.size(); ++i) keyed[i] = {pack(rows[i]), i};
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::uint32_t> order(rows.size());
  for (std::size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
  return order;
}

}  // namespace

InsertOrder insert_order(const Dump& d) {
  InsertOrder o;
  o.clients = sorted_by(d.clients, [](const Client& c) -> const std::string& { return c.ucc; });
  o.instruments = sorted_by(
      d.instruments, [](const Instrument& i) -> const std::string& { return i.instrument_id; });
  const auto client_rank = ranks(o.clients);
  const auto instrument_rank = ranks(o.instruments);
  o.positions = sorted_by_key(d.positions, [&](const Position& p) {
    return (std::uint64_t{client_rank[p.client]} << 34) |
           (std::uint64_t{instrument_rank[p.instrument]} << 2) | product_rank(p.product);
  });
  o.holdings = sorted_by_key(d.holdings, [&](const Holding& h) {
    return (std::uint64_t{client_rank[h.client]} << 32) | instrument_rank[h.instrument];
  });
  o.funds =
      sorted_by_key(d.funds, [&](const Funds& f) { return std::uint64_t{client_rank[f.client]}; });
  return o;
}

}  // namespace irra::sod
