#include "irra/store/sql_dialect.hpp"

#include <algorithm>
#include <stdexcept>

namespace irra::store {
namespace {

std::string insert_head(std::string_view table, const std::vector<std::string_view>& columns) {
  if (columns.empty()) throw std::logic_error("insert SQL needs at least one column");
  std::string cols, vals;
  for (const auto c : columns) {
    if (!cols.empty()) {
      cols += ", ";
      vals += ", ";
    }
    cols += c;
    vals += ':';
    vals += c;
  }
  return "INSERT INTO " + std::string(table) + " (" + cols + ") VALUES (" + vals + ")";
}

std::string join(const std::vector<std::string_view>& v) {
  std::string out;
  for (const auto c : v) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

}  // namespace

std::string insert_or_ignore_sql(Backend backend, std::string_view table,
                                 const std::vector<std::string_view>& columns) {
  std::string sql = insert_head(table, columns);
  if (backend == Backend::sqlite3) return sql + " ON CONFLICT DO NOTHING";
  const std::string first(columns.front());
  return sql + " ON DUPLICATE KEY UPDATE " + first + " = " + first;
}

std::string upsert_sql(Backend backend, std::string_view table,
                       const std::vector<std::string_view>& columns,
                       const std::vector<std::string_view>& key_columns) {
  if (key_columns.empty()) throw std::logic_error("upsert SQL needs key columns");
  std::vector<std::string_view> updated;
  for (const auto c : columns) {
    if (std::find(key_columns.begin(), key_columns.end(), c) == key_columns.end()) {
      updated.push_back(c);
    }
  }
  if (updated.empty()) return insert_or_ignore_sql(backend, table, columns);
  std::string sql = insert_head(table, columns);
  std::string sets;
  for (const auto c : updated) {
    if (!sets.empty()) sets += ", ";
    const std::string col(c);
    sets += col + (backend == Backend::sqlite3 ? " = excluded." + col : " = VALUES(" + col + ")");
  }
  if (backend == Backend::sqlite3) {
    return sql + " ON CONFLICT (" + join(key_columns) + ") DO UPDATE SET " + sets;
  }
  return sql + " ON DUPLICATE KEY UPDATE " + sets;
}

}  // namespace irra::store
