// manifest.json of a start-of-day dump: the trading date, when the dump was made, and for
// each of the five CSV files its data-row count and SHA-256.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace irra::sod {

// The five CSV files of a dump, in the order they are read and written.
inline constexpr std::array<std::string_view, 5> kDumpFiles = {
    "clients.csv", "instruments.csv", "positions.csv", "holdings.csv", "funds.csv"};

struct ManifestFile {
  std::string name;       // e.g. "clients.csv"
  std::int64_t rows = 0;  // data rows, header excluded
  std::string sha256;     // lowercase hex
};

struct Manifest {
  std::string trading_date;         // "YYYY-MM-DD"
  std::string generated_at;         // ISO-8601 UTC, as written in the manifest
  std::vector<ManifestFile> files;  // one per kDumpFiles entry, same order
  std::string sha256;               // of manifest.json itself

  const ManifestFile* file(std::string_view name) const;
};

// Parses manifest.json text. On failure returns nullopt and appends one message per
// problem to `errors` ("manifest.json: files: missing 'funds.csv'").
std::optional<Manifest> parse_manifest(std::string_view json_text,
                                       std::vector<std::string>& errors);

// Reads DIR/manifest.json (at most 1 MiB) and parses it.
std::optional<Manifest> read_manifest(const std::filesystem::path& dir,
                                      std::vector<std::string>& errors);

}  // namespace irra::sod
