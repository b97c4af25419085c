#include "order_book.hpp"

#include <algorithm>

#include "ids.hpp"

namespace irra::sim {

std::uint32_t order_book::add(const sim_order& o) {
  orders_.push_back(o);
  return static_cast<std::uint32_t>(orders_.size());
}

std::optional<std::uint32_t> order_book::find_order_id(std::string_view order_id) const {
  const auto n = parse_id(order_id, 'O');
  if (!n || *n > orders_.size()) return std::nullopt;
  return static_cast<std::uint32_t>(*n);
}

std::optional<std::uint32_t> order_book::find_cl_ord_id(std::string_view cl_ord_id) const {
  const auto it = irra_cl_ord_ids_.find(std::string(cl_ord_id));
  if (it != irra_cl_ord_ids_.end()) {
    if (it->second == 0) return std::nullopt;  // a cancel request's own ClOrdID
    return it->second;
  }
  const auto n = parse_id(cl_ord_id, 'M');
  if (!n || *n > orders_.size() || orders_[*n - 1].origin != order_origin::main_site) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*n);
}

bool order_book::cl_ord_id_used(std::string_view cl_ord_id) const {
  return irra_cl_ord_ids_.count(std::string(cl_ord_id)) != 0;
}

void order_book::remember_cl_ord_id(std::string_view cl_ord_id, std::uint32_t order) {
  irra_cl_ord_ids_.emplace(std::string(cl_ord_id), order);
  if (order != 0) cl_ord_id_of_.emplace(order, std::string(cl_ord_id));
}

std::string order_book::cl_ord_id(std::uint32_t n) const {
  const auto it = cl_ord_id_of_.find(n);
  if (it != cl_ord_id_of_.end()) return it->second;
  return std::string(id_text('M', n).view());
}

void order_book::add_resting(std::uint32_t n) {
  resting_[at(n).instrument].push_back(n);
}

void order_book::crossed(std::uint32_t instrument, std::int64_t last,
                         std::vector<std::uint32_t>& out) {
  const auto it = resting_.find(instrument);
  if (it == resting_.end()) return;
  auto& list = it->second;
  std::erase_if(list, [&](std::uint32_t n) { return at(n).is_final(); });
  for (const std::uint32_t n : list) {
    const sim_order& o = at(n);
    if (o.buy() ? last <= o.price : last >= o.price) out.push_back(n);
  }
}

}  // namespace irra::sim
