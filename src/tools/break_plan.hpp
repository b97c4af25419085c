// The defects --break puts into a dump, one well-defined defect per kind, so tests can
// check that the importer names each one. Each kind has a fixed home:
//   checksum            a positions.csv row changed after it was hashed (avg_price + 1 tick)
//   row-count           manifest.json says holdings.csv has one row more than it has
//   unknown-instrument  a positions.csv row names NSE:NOSUCHSCRIP
//   unknown-client      a positions.csv row names client C000000
//   bad-number          a funds.csv opening_balance reads 12x4.50
//   duplicate           a positions.csv row repeats the row above it
//   bad-header          funds.csv's header spells its last column "colateral"
//   off-lot             an F&O positions.csv row is one unit off a whole number of lots
// The positions.csv targets are spread evenly and never adjacent, so each defect stands
// alone and the rest of the dump is byte-identical to the unbroken one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace irra::tools {

enum class break_kind {
  checksum,
  row_count,
  unknown_instrument,
  unknown_client,
  bad_number,
  duplicate,
  bad_header,
  off_lot
};

std::optional<break_kind> parse_break_kind(std::string_view name);
std::string_view break_kind_name(break_kind kind);
std::string_view break_kind_names();  // "checksum, row-count, ..." for messages

class break_plan {
 public:
  static constexpr std::string_view unknown_instrument_id = "NSE:NOSUCHSCRIP";
  static constexpr std::string_view unknown_ucc = "C000000";
  static constexpr std::string_view bad_number_text = "12x4.50";
  static constexpr std::string_view broken_funds_header =
      "ucc,opening_balance,margin_used,colateral";

  // Throws std::invalid_argument when the dump has too few rows for the requested kinds.
  break_plan(std::vector<break_kind> kinds, std::int64_t position_rows, std::int64_t funds_rows);

  bool wants(break_kind kind) const;
  // The 0-based data row a kind targets (positions.csv, or funds.csv for bad-number).
  std::int64_t target(break_kind kind) const;
  // Rows off-lot must skip: other kinds' targets and the row a duplicate copies.
  bool reserved(std::int64_t position_row) const;

  // Records where a defect went: printed later as "break KIND: FILE:LINE: WHAT".
  void report(break_kind kind, std::string_view file, std::int64_t line, std::string what);
  bool reported(break_kind kind) const;
  const std::vector<std::string>& reports() const { return reports_; }

 private:
  std::vector<break_kind> kinds_;
  std::vector<std::int64_t> targets_;  // per break_kind value, -1 when none
  std::vector<bool> reported_;
  std::vector<std::string> reports_;
};

}  // namespace irra::tools
