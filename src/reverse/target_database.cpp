// The main system's database as a target: two tables, created when missing, filled in one
// transaction with the records that are new or whose state moved on.
#include <soci/soci.h>

#include <unordered_map>

#include "irra/reverse/targets.hpp"
#include "irra/store/database.hpp"
#include "irra/store/sql_dialect.hpp"

namespace irra::reverse {
namespace {

constexpr std::size_t chunk = 500;  // rows bound per statement execution
constexpr char sep = '\x1f';        // between values of a key or a row (not in any value)

std::string column_sql(const Column& c) {
  switch (c.type) {
    case ColumnType::text:
      return std::string(c.name) + " VARCHAR(" + std::to_string(c.size) + ") NOT NULL";
    case ColumnType::integer:
      return std::string(c.name) + " BIGINT NOT NULL";
    case ColumnType::rupees:
      return std::string(c.name) + " DECIMAL(18,2) NOT NULL";
  }
  return {};
}

std::string create_sql(const Table& t, store::Backend b) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + std::string(t.name) + " (";
  std::string keys;
  for (const Column& c : t.columns) {
    sql += column_sql(c) + ", ";
    if (c.key) keys += (keys.empty() ? "" : ", ") + std::string(c.name);
  }
  sql += "PRIMARY KEY (" + keys + "))";
  // utf8mb4_bin compares byte-wise, like SQLite and like IRRA's own tables.
  if (b == store::Backend::mysql)
    sql += " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
  return sql;
}

// The decimal rupee columns are derived from the paise ones: left out of the comparison,
// so that SQLite's NUMERIC storage of them cannot make an unchanged row look changed.
bool compared(const Column& c) {
  return c.type != ColumnType::rupees;
}

std::string key_of(const Table& t, const std::vector<Value>& v) {
  std::string k;
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i].key) (k += text_of(t.columns[i], v[i])) += sep;
  }
  return k;
}

std::string state_of(const Table& t, const std::vector<Value>& v) {
  std::string s;
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    if (compared(t.columns[i])) (s += text_of(t.columns[i], v[i])) += sep;
  }
  return s;
}

// key -> state of every row the target holds for the day.
std::unordered_map<std::string, std::string> read_existing(soci::session& sql, const Table& t,
                                                           const std::string& date) {
  constexpr std::size_t page = 1000;
  std::vector<const Column*> cols;
  std::string select;
  for (const Column& c : t.columns) {
    if (!compared(c)) continue;
    cols.push_back(&c);
    select +=
        (select.empty() ? "" : ", ") + std::string("CAST(") + std::string(c.name) + " AS CHAR)";
  }
  std::vector<std::vector<std::string>> values(cols.size(), std::vector<std::string>(page));
  soci::statement st(sql);
  for (auto& v : values) st.exchange(soci::into(v));
  st.exchange(soci::use(date));
  st.alloc();
  st.prepare("SELECT " + select + " FROM " + std::string(t.name) + " WHERE trading_date = :d");
  st.define_and_bind();
  st.execute(false);

  std::unordered_map<std::string, std::string> out;
  while (st.fetch()) {
    for (std::size_t row = 0; row < values[0].size(); ++row) {
      std::string key, state;
      for (std::size_t i = 0; i < cols.size(); ++i) {
        if (cols[i]->key) (key += values[i][row]) += sep;
        (state += values[i][row]) += sep;
      }
      out.emplace(std::move(key), std::move(state));
    }
    for (auto& v : values) v.resize(page);
  }
  return out;
}

// Inserts or replaces `rows` (whole records, in column order), `chunk` at a time.
void upsert(soci::session& sql, store::Backend b, const Table& t,
            const std::vector<std::vector<Value>>& rows) {
  if (rows.empty()) return;
  std::vector<std::string_view> names, keys;
  for (const Column& c : t.columns) {
    names.push_back(c.name);
    if (c.key) keys.push_back(c.name);
  }
  const std::string q = store::upsert_sql(b, t.name, names, keys);
  const std::size_t n = t.columns.size();
  for (std::size_t from = 0; from < rows.size(); from += chunk) {
    const std::size_t to = std::min(rows.size(), from + chunk);
    std::vector<std::vector<std::string>> texts(n);
    std::vector<std::vector<long long>> ints(n);
    for (std::size_t r = from; r < to; ++r) {
      for (std::size_t i = 0; i < n; ++i) {
        const Column& c = t.columns[i];
        if (c.type == ColumnType::integer) {
          ints[i].push_back(std::get<std::int64_t>(rows[r][i]));
        } else {
          texts[i].push_back(text_of(c, rows[r][i]));
        }
      }
    }
    soci::statement st(sql);
    for (std::size_t i = 0; i < n; ++i) {
      const std::string name(t.columns[i].name);
      if (t.columns[i].type == ColumnType::integer) {
        st.exchange(soci::use(ints[i], name));
      } else {
        st.exchange(soci::use(texts[i], name));
      }
    }
    st.alloc();
    st.prepare(q);
    st.define_and_bind();
    st.execute(true);
  }
}

// Splits `records` into new and changed against the target and writes both.
template <class Record>
void write_table(soci::session& sql, store::Backend b, const Table& t, const std::string& date,
                 const std::vector<Record>& records, std::int64_t& added, std::int64_t& updated) {
  const auto existing = read_existing(sql, t, date);
  std::vector<std::vector<Value>> rows;
  for (const Record& r : records) {
    auto v = values_of(r);
    const auto it = existing.find(key_of(t, v));
    if (it == existing.end()) {
      ++added;
    } else if (it->second != state_of(t, v)) {
      ++updated;
    } else {
      continue;
    }
    rows.push_back(std::move(v));
  }
  upsert(sql, b, t, rows);
}

}  // namespace

nlohmann::ordered_json WriteCounts::to_json() const {
  return {{"orders_new", orders_new},
          {"orders_updated", orders_updated},
          {"trades_new", trades_new},
          {"trades_updated", trades_updated}};
}

void create_target_tables(soci::session& target) {
  const auto b = store::backend_of(target);
  target << create_sql(orders_table(), b);
  target << create_sql(trades_table(), b);
}

WriteCounts write_database(soci::session& target, const DayRecords& day) {
  create_target_tables(target);
  const auto b = store::backend_of(target);
  const bool sqlite = b == store::Backend::sqlite3;
  // SQLite: the write lock first, so the rows read are still current when written (the
  // busy timeout waits for another writer instead of failing on a stale snapshot).
  if (sqlite) {
    target << "BEGIN IMMEDIATE";
  } else {
    target.begin();
  }
  WriteCounts counts;
  try {
    write_table(target, b, orders_table(), day.trading_date, day.orders, counts.orders_new,
                counts.orders_updated);
    write_table(target, b, trades_table(), day.trading_date, day.trades, counts.trades_new,
                counts.trades_updated);
    if (sqlite) {
      target << "COMMIT";
    } else {
      target.commit();
    }
  } catch (...) {
    try {
      if (sqlite) {
        target << "ROLLBACK";
      } else {
        target.rollback();
      }
    } catch (const std::exception&) {  // the original error says more
    }
    throw;
  }
  return counts;
}

}  // namespace irra::reverse
