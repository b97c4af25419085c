// A start-of-day dump (interfaces.md section 4) read and validated in memory.
//
// read_dump() checks everything the contract asks before anything touches a database:
// the manifest, every file's header, row count and SHA-256, every field, references to
// clients and instruments, and duplicate keys. It either returns the whole dump or the
// list of errors ("positions.csv:17: unknown instrument 'NSE:FOO'"), never both.
// Also used by tools that need the dump's clients and instruments (the exchange simulator).
//
// Rules where the contract is silent (for the project's docs):
// - Files are strict RFC 4180: LF or CRLF line ends, a UTF-8 BOM allowed at the start, an
//   empty line is an error, and so is a bare CR or text after a closing quote. A field holds
//   at most 4096 bytes, a record 16 KiB, 64 fields; a table at most 100,000,000 rows.
// - manifest.json must list exactly the five files: an extra entry is an error (data this
//   version would silently ignore). generated_at is ISO-8601 UTC ("...Z").
// - Numbers: integers as [-]digits; prices as [-]digits[.d[d]] rupees (no '+', spaces or
//   exponents). lot_size, tick_size and freeze_qty > 0; lower_band <= upper_band; holdings
//   qty, margin_used and collateral >= 0; non-EQ positions in whole lots.
// - ucc: 1-32 of A-Z a-z 0-9 - _ . &; pan: AAAAA9999A and unique (it is a login key);
//   name: 1-200 characters of UTF-8; mobile: empty or [+]10-15 digits; email: empty or
//   local@domain.tld. exchange: A-Z 0-9 _ (1-16); symbol as ucc but up to 48 bytes;
//   instrument_id exactly exchange:symbol, at most 64 bytes.
// - Keys: clients by ucc, instruments by instrument_id, positions by (ucc, instrument_id,
//   product), holdings by (ucc, instrument_id), funds by ucc.
//
// Thread rule: a Dump is a plain value; read_dump() may run on any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "irra/domain/enums.hpp"
#include "irra/sod/manifest.hpp"

namespace irra::sod {

struct Client {
  std::string ucc;
  std::string pan;
  std::string name;
  std::string mobile;  // may be empty
  std::string email;   // may be empty
  bool eligible = false;
};

struct Instrument {
  std::string instrument_id;  // exchange + ":" + symbol
  std::string exchange;
  domain::Segment segment = domain::Segment::eq;
  std::string symbol;
  std::int64_t lot_size = 0;
  std::int64_t tick_size = 0;  // paise
  std::int64_t freeze_qty = 0;
  std::int64_t lower_band = 0;  // paise
  std::int64_t upper_band = 0;  // paise
  std::int64_t prev_close = 0;  // paise
};

// Rows that refer to clients and instruments hold indexes into Dump::clients and
// Dump::instruments (a million positions do not need a million copies of the strings).
struct Position {
  std::uint32_t client = 0;
  std::uint32_t instrument = 0;
  domain::Product product = domain::Product::mis;
  std::int64_t net_qty = 0;
  std::int64_t avg_price = 0;  // paise
};

struct Holding {
  std::uint32_t client = 0;
  std::uint32_t instrument = 0;
  std::int64_t qty = 0;
  std::int64_t avg_price = 0;  // paise
};

struct Funds {
  std::uint32_t client = 0;
  std::int64_t opening_balance = 0;  // paise
  std::int64_t margin_used = 0;      // paise
  std::int64_t collateral = 0;       // paise
};

struct Dump {
  Manifest manifest;
  std::vector<Client> clients;
  std::vector<Instrument> instruments;
  std::vector<Position> positions;
  std::vector<Holding> holdings;
  std::vector<Funds> funds;
};

struct DumpResult {
  std::optional<Dump> dump;         // set only when there is no error
  std::vector<std::string> errors;  // at most 1000, then "... and N more errors"
};

DumpResult read_dump(const std::filesystem::path& dir);

}  // namespace irra::sod
