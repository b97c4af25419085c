#include "break_plan.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace irra::tools {
namespace {

constexpr std::array<std::string_view, 8> names{
    "checksum",   "row-count", "unknown-instrument", "unknown-client",
    "bad-number", "duplicate", "bad-header",         "off-lot"};

// The kinds that break a positions.csv row, in the order their rows are assigned.
constexpr std::array position_kinds{break_kind::off_lot, break_kind::checksum,
                                    break_kind::unknown_instrument, break_kind::unknown_client,
                                    break_kind::duplicate};

std::size_t slot(break_kind kind) {
  return static_cast<std::size_t>(kind);
}

}  // namespace

std::optional<break_kind> parse_break_kind(std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<break_kind>(i);
  return std::nullopt;
}

std::string_view break_kind_name(break_kind kind) {
  return names[slot(kind)];
}

std::string_view break_kind_names() {
  return "checksum, row-count, unknown-instrument, unknown-client, bad-number, duplicate, "
         "bad-header, off-lot";
}

break_plan::break_plan(std::vector<break_kind> kinds, std::int64_t position_rows,
                       std::int64_t funds_rows)
    : targets_(names.size(), -1), reported_(names.size(), false) {
  for (const break_kind k : kinds)
    if (!wants(k)) kinds_.push_back(k);  // a kind given twice still makes one defect
  const auto n = std::count_if(position_kinds.begin(), position_kinds.end(),
                               [&](break_kind k) { return wants(k); });
  // At least two rows between targets keeps every defect apart from the others.
  if (n > 0 && position_rows < 2 * (n + 1))
    throw std::invalid_argument("--break needs at least " + std::to_string(2 * (n + 1)) +
                                " positions rows; add clients or --positions-per-client");
  std::int64_t i = 0;
  for (const break_kind k : position_kinds)
    if (wants(k)) targets_[slot(k)] = ++i * position_rows / (n + 1);
  if (wants(break_kind::bad_number)) {
    if (funds_rows < 1) throw std::invalid_argument("--break bad-number needs a client");
    targets_[slot(break_kind::bad_number)] = funds_rows / 2;
  }
}

bool break_plan::wants(break_kind kind) const {
  return std::find(kinds_.begin(), kinds_.end(), kind) != kinds_.end();
}

std::int64_t break_plan::target(break_kind kind) const {
  return targets_[slot(kind)];
}

bool break_plan::reserved(std::int64_t position_row) const {
  for (const break_kind k : position_kinds)
    if (k != break_kind::off_lot && target(k) == position_row) return true;
  return wants(break_kind::duplicate) && target(break_kind::duplicate) - 1 == position_row;
}

void break_plan::report(break_kind kind, std::string_view file, std::int64_t line,
                        std::string what) {
  reported_[slot(kind)] = true;
  reports_.push_back("break " + std::string(break_kind_name(kind)) + ": " + std::string(file) +
                     ":" + std::to_string(line) + ": " + what);
}

bool break_plan::reported(break_kind kind) const {
  return reported_[slot(kind)];
}

}  // namespace irra::tools
