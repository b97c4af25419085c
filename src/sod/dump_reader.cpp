#include <algorithm>
#include <array>
#include <functional>

#include "error_list.hpp"
#include "fields.hpp"
#include "irra/sod/csv_reader.hpp"
#include "irra/sod/dump.hpp"
#include "key_index.hpp"

namespace irra::sod {
namespace {

namespace fs = std::filesystem;
using Row = std::vector<std::string_view>;
using RowFn = std::function<void(const Row&, std::uint64_t line)>;

// Bounds the in-memory dump; far above any real broker's day.
constexpr std::uint64_t kMaxRows = 100'000'000;
constexpr std::size_t kMaxReserve = 10'000'000;

std::string column_count_reason(std::size_t expected, const Row& row) {
  if (row.size() == 1 && row[0].empty()) return "empty line";
  return "expected " + std::to_string(expected) + " columns, found " + std::to_string(row.size());
}

std::string join(const Row& row) {
  std::string out;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out += ',';
    out += row[i];
  }
  return out;
}

// Reads one CSV file of the dump: the header must be exactly `header`, every data row
// must have its column count (rows that do are passed to on_row), and the row count and
// SHA-256 must match the manifest's entry (when there is one).
void read_table(const fs::path& dir, std::string_view name, std::string_view header,
                const ManifestFile* entry, ErrorList& errors, const RowFn& on_row) {
  std::string open_error;
  auto source = ByteSource::open_file(dir / name, open_error);
  if (!source) {
    errors.add(name, "cannot open: " + open_error);
    return;
  }
  CsvReader reader(std::move(source));
  const std::size_t columns =
      static_cast<std::size_t>(std::count(header.begin(), header.end(), ',')) + 1;

  bool complete = false;  // the whole file was parsed, so its row count is known
  std::uint64_t rows = 0;
  CsvReader::Status status = reader.next();
  if (status == CsvReader::Status::end) {
    errors.add(name, 1, "empty file: expected header '" + std::string(header) + "'");
  } else if (status == CsvReader::Status::record && join(reader.fields()) != header) {
    errors.add(name, 1,
               "header must be '" + std::string(header) + "', found " +
                   fields::quote(join(reader.fields())));
  } else if (status == CsvReader::Status::record) {
    while ((status = reader.next()) == CsvReader::Status::record) {
      if (++rows > kMaxRows) {
        errors.add(name, reader.line(), "more than " + std::to_string(kMaxRows) + " rows");
        break;
      }
      const Row& row = reader.fields();
      if (row.size() != columns) {
        errors.add(name, reader.line(), column_count_reason(columns, row));
        continue;
      }
      on_row(row, reader.line());
    }
    complete = status == CsvReader::Status::end;
  }
  if (status == CsvReader::Status::error) {
    errors.add(name, reader.error_line(), reader.error());
  }

  const std::string sha = reader.finish_sha256();
  if (sha.empty()) {
    errors.add(name, "read error");
    return;
  }
  if (entry == nullptr) return;
  if (complete && rows != static_cast<std::uint64_t>(entry->rows)) {
    errors.add(name, "manifest says " + std::to_string(entry->rows) + " rows, file has " +
                         std::to_string(rows));
  }
  if (sha != entry->sha256) {
    errors.add(name, "checksum mismatch: manifest says " + entry->sha256 + ", file is " + sha);
  }
}

class DumpReader {
 public:
  DumpReader(const fs::path& dir, const Manifest* manifest, Dump& dump, ErrorList& errors)
      : dir_(dir), manifest_(manifest), dump_(dump), errors_(errors) {}

  void run() {
    clients_ = TextKeyIndex(expected_rows("clients.csv"));
    pans_ = TextKeyIndex(expected_rows("clients.csv"));
    instruments_ = TextKeyIndex(expected_rows("instruments.csv"));
    position_keys_ = IntKeyIndex(expected_rows("positions.csv"));
    holding_keys_ = IntKeyIndex(expected_rows("holdings.csv"));
    funds_keys_ = IntKeyIndex(expected_rows("funds.csv"));
    table("clients.csv", "ucc,pan,name,mobile,email,eligible",
          [this](const Row& r, std::uint64_t l) { client(r, l); });
    table("instruments.csv",
          "instrument_id,exchange,segment,symbol,lot_size,tick_size,freeze_qty,lower_band,"
          "upper_band,prev_close",
          [this](const Row& r, std::uint64_t l) { instrument(r, l); });
    dump_.positions.reserve(expected_rows("positions.csv"));
    table("positions.csv", "ucc,instrument_id,product,net_qty,avg_price",
          [this](const Row& r, std::uint64_t l) { position(r, l); });
    table("holdings.csv", "ucc,instrument_id,qty,avg_price",
          [this](const Row& r, std::uint64_t l) { holding(r, l); });
    table("funds.csv", "ucc,opening_balance,margin_used,collateral",
          [this](const Row& r, std::uint64_t l) { funds(r, l); });
  }

 private:
  void table(std::string_view name, std::string_view header, const RowFn& fn) {
    file_ = name;
    read_table(dir_, name, header, manifest_ ? manifest_->file(name) : nullptr, errors_, fn);
  }

  // What the manifest announces, as a capacity hint (bounded: the manifest may lie).
  // A file of N bytes holds fewer than N / 8 rows (no row of any table is that short), so
  // a lying manifest cannot make us reserve more than the input justifies.
  std::size_t expected_rows(std::string_view name) const {
    const ManifestFile* f = manifest_ ? manifest_->file(name) : nullptr;
    if (f == nullptr) return 0;
    std::error_code ec;
    const auto bytes = fs::file_size(dir_ / name, ec);
    if (ec) return 0;
    return std::min({static_cast<std::size_t>(f->rows), static_cast<std::size_t>(bytes / 8),
                     kMaxReserve});
  }

  void error(std::uint64_t line, std::string_view reason) { errors_.add(file_, line, reason); }

  std::optional<std::int64_t> integer(std::uint64_t line, std::string_view column,
                                      std::string_view text) {
    auto v = fields::integer(column, text, reason_);
    if (!v) error(line, reason_);
    return v;
  }
  std::optional<std::int64_t> rupees(std::uint64_t line, std::string_view column,
                                     std::string_view text) {
    auto v = fields::rupees(column, text, reason_);
    if (!v) error(line, reason_);
    return v;
  }
  // A value that must be above zero (quantities and tick size).
  void positive(std::uint64_t line, std::string_view column, std::string_view text,
                std::optional<std::int64_t> v) {
    if (v && *v <= 0)
      error(line, std::string(column) + ": " + fields::quote(text) + " is not positive");
  }
  void not_negative(std::uint64_t line, std::string_view column, std::string_view text,
                    std::optional<std::int64_t> v) {
    if (v && *v < 0) error(line, std::string(column) + ": " + fields::quote(text) + " is negative");
  }
  void text(std::uint64_t line, std::string_view column, std::string_view value,
            std::size_t max_len, bool required) {
    if (required && value.empty()) {
      error(line, std::string(column) + ": empty");
    } else if (!fields::valid_utf8(value)) {
      error(line, std::string(column) + ": not valid UTF-8");
    } else if (fields::utf8_length(value) > max_len) {
      error(line, std::string(column) + ": longer than " + std::to_string(max_len) + " characters");
    }
  }

  // Registers a key; reports a duplicate with the line of its first appearance.
  bool unique(TextKeyIndex& index, std::string_view what, std::string_view key, std::uint32_t row,
              std::uint64_t line) {
    KeySeen first;
    if (index.insert(key, KeySeen{row, line}, first)) return true;
    error(line, "duplicate " + std::string(what) + " " + fields::quote(key) + " (first at line " +
                    std::to_string(first.line) + ")");
    return false;
  }
  // key_text() spells the key for the message; only called for a duplicate.
  template <class KeyText>
  bool unique(IntKeyIndex& index, std::string_view what, const KeyText& key_text, std::uint64_t key,
              std::uint64_t line) {
    std::uint64_t first_line = 0;
    if (index.insert(key, line, first_line)) return true;
    error(line, "duplicate " + std::string(what) + " " + fields::quote(key_text()) +
                    " (first at line " + std::to_string(first_line) + ")");
    return false;
  }

  std::optional<std::uint32_t> client_ref(std::uint64_t line, std::string_view ucc) {
    if (const KeySeen* seen = clients_.find(ucc)) return seen->row;
    error(line, "unknown client " + fields::quote(ucc));
    return std::nullopt;
  }
  std::optional<std::uint32_t> instrument_ref(std::uint64_t line, std::string_view id) {
    if (const KeySeen* seen = instruments_.find(id)) return seen->row;
    error(line, "unknown instrument " + fields::quote(id));
    return std::nullopt;
  }

  void client(const Row& r, std::uint64_t line) {
    Client c;
    if (!fields::is_code(r[0], 32)) {
      error(line, "ucc: " + fields::quote(r[0]) + " is not a valid UCC (1-32 of A-Z a-z 0-9 -_.&)");
    }
    if (!fields::is_pan(r[1])) error(line, "pan: " + fields::quote(r[1]) + " is not a valid PAN");
    text(line, "name", r[2], 200, true);
    if (!fields::is_mobile(r[3])) {
      error(line, "mobile: " + fields::quote(r[3]) + " is not a mobile number");
    }
    if (!fields::is_email(r[4]) || !fields::valid_utf8(r[4])) {
      error(line, "email: " + fields::quote(r[4]) + " is not an email address");
    }
    if (r[5] != "Y" && r[5] != "N") {
      error(line, "eligible: " + fields::quote(r[5]) + " must be Y or N");
    }
    const auto row = static_cast<std::uint32_t>(dump_.clients.size());
    unique(clients_, "ucc", r[0], row, line);
    // PAN is a login key: two clients with one PAN would make a login ambiguous.
    unique(pans_, "pan", r[1], row, line);
    c.ucc = r[0];
    c.pan = r[1];
    c.name = r[2];
    c.mobile = r[3];
    c.email = r[4];
    c.eligible = r[5] == "Y";
    dump_.clients.push_back(std::move(c));
  }

  void instrument(const Row& r, std::uint64_t line) {
    Instrument in;
    const bool exchange_ok = fields::is_exchange(r[1]);
    const bool symbol_ok = fields::is_code(r[3], 48);
    if (!exchange_ok) error(line, "exchange: " + fields::quote(r[1]) + " is not an exchange code");
    if (!symbol_ok) error(line, "symbol: " + fields::quote(r[3]) + " is not a valid symbol");
    if (r[0].size() > 64) {
      error(line, "instrument_id: longer than 64 bytes");
    } else if (exchange_ok && symbol_ok &&
               (r[0].size() != r[1].size() + 1 + r[3].size() || !r[0].starts_with(r[1]) ||
                r[0][r[1].size()] != ':' || !r[0].ends_with(r[3]))) {
      error(line, "instrument_id: " + fields::quote(r[0]) + " is not exchange:symbol " +
                      fields::quote(std::string(r[1]) + ":" + std::string(r[3])));
    }
    const auto segment = domain::parse_segment(r[2]);
    if (!segment)
      error(line, "segment: " + fields::quote(r[2]) + " must be one of EQ, FO, CD, COM");
    const auto lot = integer(line, "lot_size", r[4]);
    const auto tick = rupees(line, "tick_size", r[5]);
    const auto freeze = integer(line, "freeze_qty", r[6]);
    const auto lower = rupees(line, "lower_band", r[7]);
    const auto upper = rupees(line, "upper_band", r[8]);
    const auto prev = rupees(line, "prev_close", r[9]);
    positive(line, "lot_size", r[4], lot);
    positive(line, "tick_size", r[5], tick);
    positive(line, "freeze_qty", r[6], freeze);
    if (lower && upper && *lower > *upper) {
      error(line, "lower_band " + std::string(r[7]) + " is above upper_band " + std::string(r[8]));
    }
    unique(instruments_, "instrument_id", r[0],
           static_cast<std::uint32_t>(dump_.instruments.size()), line);
    in.instrument_id = r[0];
    in.exchange = r[1];
    in.segment = segment.value_or(domain::Segment::eq);
    in.symbol = r[3];
    // A bad lot size is already reported; 0 turns off the whole-lot check on positions.
    in.lot_size = lot && *lot > 0 ? *lot : 0;
    in.tick_size = tick.value_or(0);
    in.freeze_qty = freeze.value_or(0);
    in.lower_band = lower.value_or(0);
    in.upper_band = upper.value_or(0);
    in.prev_close = prev.value_or(0);
    dump_.instruments.push_back(std::move(in));
  }

  void position(const Row& r, std::uint64_t line) {
    const auto client = client_ref(line, r[0]);
    const auto instrument = instrument_ref(line, r[1]);
    const auto product = domain::parse_product(r[2]);
    if (!product) {
      error(line, "product: " + fields::quote(r[2]) + " must be one of MIS, NRML, CNC, MTF");
    }
    const auto qty = integer(line, "net_qty", r[3]);
    const auto price = rupees(line, "avg_price", r[4]);
    if (instrument && qty) {
      const Instrument& in = dump_.instruments[*instrument];
      // Derivatives trade in whole lots; an odd quantity means the dump is wrong.
      if (in.segment != domain::Segment::eq && in.lot_size > 0 && *qty % in.lot_size != 0) {
        error(line, "net_qty " + std::to_string(*qty) +
                        " is not a whole number of lots (lot size " + std::to_string(in.lot_size) +
                        ")");
      }
    }
    if (!client || !instrument || !product) return;
    const std::uint64_t key = (std::uint64_t{*client} << 34) | (std::uint64_t{*instrument} << 2) |
                              static_cast<std::uint64_t>(*product);
    if (!unique(
            position_keys_, "position",
            [&] {
              return join(Row{r[0], r[1], r[2]});
            },
            key, line))
      return;
    dump_.positions.push_back(
        Position{*client, *instrument, *product, qty.value_or(0), price.value_or(0)});
  }

  void holding(const Row& r, std::uint64_t line) {
    const auto client = client_ref(line, r[0]);
    const auto instrument = instrument_ref(line, r[1]);
    const auto qty = integer(line, "qty", r[2]);
    const auto price = rupees(line, "avg_price", r[3]);
    not_negative(line, "qty", r[2], qty);
    if (!client || !instrument) return;
    const std::uint64_t key = (std::uint64_t{*client} << 32) | *instrument;
    if (!unique(
            holding_keys_, "holding",
            [&] {
              return join(Row{r[0], r[1]});
            },
            key, line))
      return;
    dump_.holdings.push_back(Holding{*client, *instrument, qty.value_or(0), price.value_or(0)});
  }

  void funds(const Row& r, std::uint64_t line) {
    const auto client = client_ref(line, r[0]);
    const auto opening = rupees(line, "opening_balance", r[1]);
    const auto margin = rupees(line, "margin_used", r[2]);
    const auto collateral = rupees(line, "collateral", r[3]);
    not_negative(line, "margin_used", r[2], margin);
    not_negative(line, "collateral", r[3], collateral);
    if (!client) return;
    if (!unique(
            funds_keys_, "ucc", [&] { return r[0]; }, *client, line))
      return;
    dump_.funds.push_back(
        Funds{*client, opening.value_or(0), margin.value_or(0), collateral.value_or(0)});
  }

  const fs::path& dir_;
  const Manifest* manifest_;
  Dump& dump_;
  ErrorList& errors_;
  std::string_view file_;
  std::string reason_;
  TextKeyIndex clients_;
  TextKeyIndex pans_;
  TextKeyIndex instruments_;
  IntKeyIndex position_keys_;
  IntKeyIndex holding_keys_;
  IntKeyIndex funds_keys_;
};

}  // namespace

DumpResult read_dump(const std::filesystem::path& dir) {
  DumpResult result;
  ErrorList errors;
  std::vector<std::string> manifest_errors;
  std::optional<Manifest> manifest = read_manifest(dir, manifest_errors);
  for (const auto& e : manifest_errors) errors.add("manifest.json", e.substr(e.find(": ") + 2));

  Dump dump;
  // The CSV files are checked even when the manifest is broken, to report everything.
  DumpReader(dir, manifest ? &*manifest : nullptr, dump, errors).run();
  if (errors.empty()) {
    dump.manifest = std::move(*manifest);
    result.dump = std::move(dump);
  }
  result.errors = errors.take();
  return result;
}

}  // namespace irra::sod
