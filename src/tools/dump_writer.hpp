// Writes a whole start-of-day dump (interfaces.md section 4) into a folder: the five CSV
// files streamed row by row and hashed while written, then manifest.json last, so a dump
// without a manifest is visibly incomplete.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "break_plan.hpp"

namespace irra::tools {

struct dump_options {
  std::filesystem::path out;
  std::int64_t clients = 1000;
  std::int64_t positions_per_client = 5;
  std::int64_t holdings_per_client = 3;
  std::int64_t instruments = 200;
  std::uint64_t seed = 1;
  std::chrono::year_month_day trading_date;
  std::chrono::sys_seconds generated_at;
  std::int64_t ineligible_pct = 10;
  std::vector<break_kind> breaks;
};

struct dump_summary {
  std::int64_t clients = 0;
  std::int64_t instruments = 0;
  std::int64_t positions = 0;
  std::int64_t holdings = 0;
  std::int64_t funds = 0;
  std::vector<std::string> break_reports;  // "break KIND: FILE:LINE: WHAT"
};

// Throws std::invalid_argument for option combinations that cannot be honoured (checked
// before any file is written) and std::runtime_error for I/O failures.
dump_summary write_dump(const dump_options& options);

}  // namespace irra::tools
