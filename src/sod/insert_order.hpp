// The order in which the importer inserts each table's rows: primary-key order. B-tree
// inserts that always land at the right edge touch fewer pages and leave them full, which
// makes a million-row import markedly faster on both SQLite and InnoDB.
#pragma once

#include <cstdint>
#include <vector>

#include "irra/sod/dump.hpp"

namespace irra::sod {

struct InsertOrder {
  std::vector<std::uint32_t> clients;      // by ucc
  std::vector<std::uint32_t> instruments;  // by instrument_id
  std::vector<std::uint32_t> positions;    // by (ucc, instrument_id, product)
  std::vector<std::uint32_t> holdings;     // by (ucc, instrument_id)
  std::vector<std::uint32_t> funds;        // by ucc
};

// Orders compare bytes, as SQLite's BINARY and MySQL's utf8mb4_bin collations do.
InsertOrder insert_order(const Dump& dump);

}  // namespace irra::sod
