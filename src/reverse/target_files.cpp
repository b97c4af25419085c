// A folder as the target: the day's records as CSV and JSON, and a summary with checksums.
// Every file's content depends only on the records, so a second run with nothing new
// leaves the folder byte for byte as it was (files are not even rewritten).
#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "irra/reverse/targets.hpp"
#include "irra/trading/json_views.hpp"

namespace irra::reverse {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// RFC 4180: a cell with a comma, quote or line break is quoted, quotes doubled.
void csv_cell(std::string& out, const std::string& cell) {
  if (cell.find_first_of(",\"\r\n") == std::string::npos) {
    out += cell;
    return;
  }
  out += '"';
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

template <class Record>
std::string csv_of(const Table& t, const std::vector<Record>& records) {
  std::string out;
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    if (i > 0) out += ',';
    out += t.columns[i].name;
  }
  out += "\r\n";
  for (const Record& r : records) {
    const auto v = values_of(r);
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      if (i > 0) out += ',';
      csv_cell(out, text_of(t.columns[i], v[i]));
    }
    out += "\r\n";
  }
  return out;
}

ordered_json json_value(const Column& c, const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  const auto n = std::get<std::int64_t>(v);
  // Rupees as the REST API shows prices: a number with at most two decimals.
  return c.type == ColumnType::rupees ? ordered_json(trading::rupees(n)) : ordered_json(n);
}

ordered_json object_of(const Table& t, const std::vector<Value>& v) {
  ordered_json o = ordered_json::object();
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    o[std::string(t.columns[i].name)] = json_value(t.columns[i], v[i]);
  }
  return o;
}

// One record per line, so that files diff line by line and a line is a record.
template <class Record>
std::string json_of(const Table& t, const std::vector<Record>& records) {
  std::string out = "[\n";
  for (std::size_t i = 0; i < records.size(); ++i) {
    out += object_of(t, values_of(records[i])).dump();
    out += i + 1 < records.size() ? ",\n" : "\n";
  }
  out += "]\n";
  return out;
}

std::string sha256_hex(const std::string& bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &n, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed (OpenSSL)");
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 0xF];
  }
  return out;
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Replaces `path` with `content` through a temporary file and rename (readers see the old
// file or the new one, never half of one); leaves it alone when the content is the same.
void replace_file(const fs::path& path, const std::string& content) {
  if (read_file(path) == content) return;
  const fs::path tmp = path.parent_path() / ("." + path.filename().string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) throw std::runtime_error("cannot write '" + tmp.string() + "'");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot replace '" + path.string() + "': " + ec.message());
}

// key -> line of each record in a JSON file written by an earlier run (empty when none).
std::map<std::string, std::string> previous_lines(const fs::path& path, const Table& t) {
  std::map<std::string, std::string> out;
  const auto text = read_file(path);
  if (!text) return out;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == ',') line.pop_back();
    if (line.empty() || line.front() != '{') continue;
    const auto j = ordered_json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    std::string key;
    for (const Column& c : t.columns) {
      if (c.key && j.contains(c.name) && j[std::string(c.name)].is_string()) {
        key += j[std::string(c.name)].get<std::string>() + '\x1f';
      }
    }
    out.emplace(std::move(key), std::move(line));
  }
  return out;
}

// Counts the records of `json` (as json_of wrote it) that `before` lacks or has otherwise.
void count_changes(const std::string& json, const Table& t,
                   const std::map<std::string, std::string>& before, std::int64_t& added,
                   std::int64_t& updated) {
  const auto now = [&] {
    std::map<std::string, std::string> m;
    std::istringstream in(json);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == ',') line.pop_back();
      if (line.empty() || line.front() != '{') continue;
      const auto j = ordered_json::parse(line);
      std::string key;
      for (const Column& c : t.columns) {
        if (c.key) key += j[std::string(c.name)].get<std::string>() + '\x1f';
      }
      m.emplace(std::move(key), std::move(line));
    }
    return m;
  }();
  for (const auto& [key, line] : now) {
    const auto it = before.find(key);
    if (it == before.end()) {
      ++added;
    } else if (it->second != line) {
      ++updated;
    }
  }
}

}  // namespace

std::string orders_csv(const DayRecords& day) {
  return csv_of(orders_table(), day.orders);
}
std::string trades_csv(const DayRecords& day) {
  return csv_of(trades_table(), day.trades);
}
std::string orders_json(const DayRecords& day) {
  return json_of(orders_table(), day.orders);
}
std::string trades_json(const DayRecords& day) {
  return json_of(trades_table(), day.trades);
}

std::optional<std::string> files_trading_date(const fs::path& dir) {
  const auto text = read_file(dir / "summary.json");
  if (!text) return std::nullopt;
  const auto j = ordered_json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("trading_date") || !j["trading_date"].is_string()) {
    return std::nullopt;
  }
  return j["trading_date"].get<std::string>();
}

FileResult write_files(const fs::path& dir, const DayRecords& day) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw std::runtime_error("cannot create the folder '" + dir.string() + "'");
  }
  const std::vector<std::pair<std::string, std::string>> files = {
      {"orders.csv", orders_csv(day)},
      {"orders.json", orders_json(day)},
      {"trades.csv", trades_csv(day)},
      {"trades.json", trades_json(day)},
  };
  FileResult result;
  // Compared with the JSON files of an earlier run of the same day, before replacing them.
  const bool same_day = files_trading_date(dir) == day.trading_date;
  const auto old_orders = same_day ? previous_lines(dir / "orders.json", orders_table())
                                   : std::map<std::string, std::string>{};
  const auto old_trades = same_day ? previous_lines(dir / "trades.json", trades_table())
                                   : std::map<std::string, std::string>{};
  count_changes(files[1].second, orders_table(), old_orders, result.counts.orders_new,
                result.counts.orders_updated);
  count_changes(files[3].second, trades_table(), old_trades, result.counts.trades_new,
                result.counts.trades_updated);

  ordered_json listing = ordered_json::object();
  for (const auto& [name, content] : files) {
    const auto rows = name.starts_with("orders") ? day.orders.size() : day.trades.size();
    listing[name] = {{"rows", rows}, {"sha256", sha256_hex(content)}};
  }
  // The summary last: a folder whose summary.json is in place is complete.
  for (const auto& [name, content] : files) replace_file(dir / name, content);
  result.summary = summary_of(day, listing);
  replace_file(dir / "summary.json", result.summary.dump(2) + "\n");
  return result;
}

}  // namespace irra::reverse
