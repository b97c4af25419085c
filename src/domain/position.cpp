#include "irra/domain/position.hpp"

#include <functional>
#include <string_view>

#include "wide_int.hpp"

namespace irra::domain {

std::size_t PositionKeyHash::operator()(const PositionKey& k) const noexcept {
  const std::hash<std::string_view> h;
  std::size_t seed = h(k.ucc);
  seed ^= h(k.instrument_id) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
  seed ^= static_cast<std::size_t>(k.product) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
  return seed;
}

Position Position::carried_forward(PositionKey key, Qty net_qty, Paise avg_price) {
  Position p(std::move(key));
  p.net_qty_ = net_qty;
  p.open_cost_ = net_qty * avg_price;
  p.cash_flow_ = -p.open_cost_;
  p.cf_qty_ = net_qty;
  p.cf_avg_price_ = avg_price;
  return p;
}

void Position::apply_fill(Side side, Qty qty, Paise price) {
  if (qty <= 0) return;
  const Qty signed_qty = sign(side) * qty;
  cash_flow_ -= signed_qty * price;
  if (side == Side::buy) {
    day_buy_qty_ += qty;
    day_buy_value_ += qty * price;
  } else {
    day_sell_qty_ += qty;
    day_sell_value_ += qty * price;
  }

  Qty rest = qty;
  const bool reduces = (net_qty_ > 0 && side == Side::sell) || (net_qty_ < 0 && side == Side::buy);
  if (reduces) {
    const Qty open = net_qty_ > 0 ? net_qty_ : -net_qty_;
    const Qty closed = rest < open ? rest : open;
    // Remove the closed share of the cost; detail::int128 keeps open_cost * closed exact.
    const auto removed =
        static_cast<Paise>(static_cast<detail::int128>(open_cost_) * closed / open);
    open_cost_ -= removed;
    net_qty_ += sign(side) * closed;
    rest -= closed;
    if (net_qty_ == 0) open_cost_ = 0;  // already exact; stated for the reader
  }
  if (rest > 0) {
    open_cost_ += sign(side) * rest * price;
    net_qty_ += sign(side) * rest;
  }
}

Paise Position::avg_price() const {
  if (net_qty_ == 0) return 0;
  // Round half away from zero; open_cost and net_qty share their sign.
  const detail::int128 num = open_cost_;
  const detail::int128 den = net_qty_;
  detail::int128 q = num / den;
  const detail::int128 r = num % den;
  const detail::int128 abs_r = r < 0 ? -r : r;
  const detail::int128 abs_den = den < 0 ? -den : den;
  if (abs_r * 2 >= abs_den) q += ((num < 0) == (den < 0)) ? 1 : -1;
  return static_cast<Paise>(q);
}

}  // namespace irra::domain
