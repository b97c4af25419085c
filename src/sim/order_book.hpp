// The exchange's orders: IRRA's (order entry) and the main site's (drop-copy flow), with
// their fills, the ClOrdIDs IRRA has used, and the resting limit orders per instrument
// that the random walk may cross. Order number n has OrderID "O<n>"; a main-site order's
// ClOrdID is "M<n>". Thread rule: the simulator's single thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "irra/domain/enums.hpp"

namespace irra::sim {

enum class order_origin : std::uint8_t { irra, main_site };

struct sim_order {
  std::uint32_t client = 0;      // index into the dump's clients
  std::uint32_t instrument = 0;  // index into the market
  domain::Product product = domain::Product::mis;
  order_origin origin = order_origin::main_site;
  char side = '1';         // 1 buy, 2 sell
  char ord_type = '2';     // 1 market, 2 limit
  char ord_status = '0';   // 0 new, 1 partially filled, 2 filled, 4 cancelled, 8 rejected
  std::int64_t price = 0;  // paise, limit orders only
  std::int64_t qty = 0;
  std::int64_t cum_qty = 0;
  std::int64_t cum_value = 0;  // sum of last_qty * last_px, for AvgPx

  bool is_final() const {
    return ord_status == '2' || ord_status == '4' || ord_status == '8' || ord_status == 'C';
  }
  std::int64_t leaves() const { return is_final() ? 0 : qty - cum_qty; }
  std::int64_t avg_px() const { return cum_qty == 0 ? 0 : (cum_value + cum_qty / 2) / cum_qty; }
  bool buy() const { return side == '1'; }
};

class order_book {
 public:
  // Adds an order; returns its number (>= 1).
  std::uint32_t add(const sim_order& o);
  sim_order& at(std::uint32_t n) { return orders_[n - 1]; }
  const sim_order& at(std::uint32_t n) const { return orders_[n - 1]; }
  std::size_t size() const { return orders_.size(); }

  // "O<n>" of an existing order.
  std::optional<std::uint32_t> find_order_id(std::string_view order_id) const;
  // An IRRA ClOrdID, or a main-site "M<n>".
  std::optional<std::uint32_t> find_cl_ord_id(std::string_view cl_ord_id) const;
  // ClOrdIDs IRRA has used on order entry (orders and cancels), for duplicate detection.
  bool cl_ord_id_used(std::string_view cl_ord_id) const;
  // Remembers an IRRA ClOrdID; `order` is 0 for a cancel request's own ClOrdID.
  void remember_cl_ord_id(std::string_view cl_ord_id, std::uint32_t order);
  // The ClOrdID of order n ("M<n>" for the main site).
  std::string cl_ord_id(std::uint32_t n) const;

  // Resting limit orders of IRRA, filled when the walk crosses their price.
  void add_resting(std::uint32_t n);
  // Removes final orders and appends to `out` the resting orders the price `last` crosses.
  void crossed(std::uint32_t instrument, std::int64_t last, std::vector<std::uint32_t>& out);

 private:
  std::vector<sim_order> orders_;
  std::unordered_map<std::string, std::uint32_t> irra_cl_ord_ids_;
  std::unordered_map<std::uint32_t, std::string> cl_ord_id_of_;
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> resting_;
};

}  // namespace irra::sim
