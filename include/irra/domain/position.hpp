// One client's net position in one instrument and product, with exact integer P&L.
//
// Accounting: cash_flow = -sum(signed qty * price) over every fill, the carried-forward
// opening included as if bought (or sold) at its average price; open_cost = the signed cost
// of the quantity still open. Then, exactly and always:
//   realized = cash_flow + open_cost,  unrealized(ltp) = net_qty * ltp - open_cost,
//   realized + unrealized(ltp) == cash_flow + net_qty * ltp (the total P&L).
// A plain value type; the Book that owns it is used from one strand.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "irra/domain/enums.hpp"
#include "irra/domain/money.hpp"

namespace irra::domain {

struct PositionKey {
  std::string ucc;
  std::string instrument_id;
  Product product = Product::mis;

  friend bool operator==(const PositionKey&, const PositionKey&) = default;
};

struct PositionKeyHash {
  std::size_t operator()(const PositionKey& k) const noexcept;
};

class Position {
 public:
  Position() = default;
  explicit Position(PositionKey key) : key_(std::move(key)) {}

  // A position carried forward from the previous day (positions.csv): net_qty signed,
  // avg_price the cost per unit in paise.
  static Position carried_forward(PositionKey key, Qty net_qty, Paise avg_price);

  // Applies one fill. A fill against the position closes it first, removing open cost in
  // proportion (truncated; realized absorbs the remainder); what is left of the fill opens
  // the other side at the fill price. qty must be positive.
  void apply_fill(Side side, Qty qty, Paise price);

  const PositionKey& key() const { return key_; }
  Qty net_qty() const { return net_qty_; }
  Paise open_cost() const { return open_cost_; }
  Paise cash_flow() const { return cash_flow_; }
  // Cost per unit of the open quantity, rounded to the nearest paisa; 0 when flat.
  Paise avg_price() const;
  Paise realized_pnl() const { return cash_flow_ + open_cost_; }
  Paise unrealized_pnl(Paise ltp) const { return net_qty_ * ltp - open_cost_; }
  Paise total_pnl(Paise ltp) const { return cash_flow_ + net_qty_ * ltp; }

  Qty carried_forward_qty() const { return cf_qty_; }
  Paise carried_forward_avg_price() const { return cf_avg_price_; }
  Qty day_buy_qty() const { return day_buy_qty_; }
  Qty day_sell_qty() const { return day_sell_qty_; }
  Paise day_buy_value() const { return day_buy_value_; }
  Paise day_sell_value() const { return day_sell_value_; }

 private:
  PositionKey key_;
  Qty net_qty_ = 0;
  Paise open_cost_ = 0;
  Paise cash_flow_ = 0;
  Qty cf_qty_ = 0;
  Paise cf_avg_price_ = 0;
  Qty day_buy_qty_ = 0;
  Qty day_sell_qty_ = 0;
  Paise day_buy_value_ = 0;
  Paise day_sell_value_ = 0;
};

}  // namespace irra::domain
