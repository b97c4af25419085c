// The schema, as one ordered list of migrations. To add one, append an entry to
// migration_list() with the next version number; SQL must run on SQLite and MySQL, with
// {autoinc_pk} and {table_options} substituted per dialect (see dialect_sql()).
#include "irra/store/migrations.hpp"

#include <soci/soci.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "irra/store/database.hpp"
#include "iso_time.hpp"

namespace irra::store {
namespace {

// One statement, or an index created only if it does not exist yet (MySQL has no
// CREATE INDEX IF NOT EXISTS).
struct Step {
  std::string_view sql;
  std::string_view index_name{};
  std::string_view index_table{};
  std::string_view index_columns{};
};

Step stmt(std::string_view sql) {
  return Step{sql};
}
Step index(std::string_view name, std::string_view table, std::string_view columns) {
  return Step{{}, name, table, columns};
}

struct Migration {
  int version;
  std::string_view name;
  std::vector<Step> steps;
};

// Money and prices are BIGINT paise; timestamps ISO-8601 UTC text (sortable).
const std::vector<Migration>& migration_list() {
  static const std::vector<Migration> list = {
      {1,
       "start-of-day tables and audit log",
       {
           stmt("CREATE TABLE IF NOT EXISTS clients ("
                " ucc VARCHAR(32) NOT NULL PRIMARY KEY,"
                " pan VARCHAR(10) NOT NULL,"
                " name VARCHAR(200) NOT NULL,"
                " mobile VARCHAR(20) NOT NULL,"
                " email VARCHAR(254) NOT NULL,"
                " eligible SMALLINT NOT NULL){table_options}"),
           index("clients_pan", "clients", "pan"),
           stmt("CREATE TABLE IF NOT EXISTS instruments ("
                " instrument_id VARCHAR(64) NOT NULL PRIMARY KEY,"
                " exchange VARCHAR(16) NOT NULL,"
                " segment VARCHAR(8) NOT NULL,"
                " symbol VARCHAR(48) NOT NULL,"
                " lot_size BIGINT NOT NULL,"
                " tick_size BIGINT NOT NULL,"
                " freeze_qty BIGINT NOT NULL,"
                " lower_band BIGINT NOT NULL,"
                " upper_band BIGINT NOT NULL,"
                " prev_close BIGINT NOT NULL){table_options}"),
           stmt("CREATE TABLE IF NOT EXISTS sod_positions ("
                " ucc VARCHAR(32) NOT NULL,"
                " instrument_id VARCHAR(64) NOT NULL,"
                " product VARCHAR(8) NOT NULL,"
                " net_qty BIGINT NOT NULL,"
                " avg_price BIGINT NOT NULL,"
                " PRIMARY KEY (ucc, instrument_id, product)){table_options}"),
           stmt("CREATE TABLE IF NOT EXISTS holdings ("
                " ucc VARCHAR(32) NOT NULL,"
                " instrument_id VARCHAR(64) NOT NULL,"
                " qty BIGINT NOT NULL,"
                " avg_price BIGINT NOT NULL,"
                " PRIMARY KEY (ucc, instrument_id)){table_options}"),
           stmt("CREATE TABLE IF NOT EXISTS funds ("
                " ucc VARCHAR(32) NOT NULL PRIMARY KEY,"
                " opening_balance BIGINT NOT NULL,"
                " margin_used BIGINT NOT NULL,"
                " collateral BIGINT NOT NULL){table_options}"),
           stmt("CREATE TABLE IF NOT EXISTS sod_imports ("
                " id {autoinc_pk},"
                " trading_date VARCHAR(10) NOT NULL,"
                " generated_at VARCHAR(40),"
                " imported_at VARCHAR(40) NOT NULL,"
                " clients BIGINT,"
                " instruments BIGINT,"
                " positions BIGINT,"
                " holdings BIGINT,"
                " funds BIGINT,"
                " manifest_sha256 VARCHAR(64)){table_options}"),
           stmt("CREATE TABLE IF NOT EXISTS audit_log ("
                " seq BIGINT NOT NULL PRIMARY KEY,"
                " ts VARCHAR(40) NOT NULL,"
                " type VARCHAR(64) NOT NULL,"
                " actor VARCHAR(128) NOT NULL,"
                " ucc VARCHAR(32),"
                " ip VARCHAR(64),"
                " user_agent VARCHAR(512),"
                " detail TEXT,"
                " prev_hash CHAR(64) NOT NULL,"
                " hash CHAR(64) NOT NULL){table_options}"),
           index("audit_log_ucc", "audit_log", "ucc"),
           index("audit_log_type", "audit_log", "type"),
           index("audit_log_ts", "audit_log", "ts"),
       }},
      // ---- migration 2: the trading engine's journal and FIX session state --------------
      // (owned by src/trading; see docs of trading::Engine). Every writer job may run twice,
      // so each journal row carries a natural key: UNIQUE(trading_date, kind, entry_key),
      // where entry_key is the ExecID of an 'exec' row and the ClOrdID of IRRA's own rows.
      {2,
       "trading journal, FIX sessions, outbound FIX messages, idempotency keys",
       {
           stmt("CREATE TABLE IF NOT EXISTS journal ("
                " id {autoinc_pk},"
                " trading_date VARCHAR(10) NOT NULL,"
                " kind VARCHAR(16) NOT NULL,"
                " entry_key VARCHAR(64) NOT NULL,"
                " exec_id VARCHAR(64),"
                " session VARCHAR(16) NOT NULL,"
                " in_seq BIGINT NOT NULL,"
                " order_id VARCHAR(64) NOT NULL,"
                " cl_ord_id VARCHAR(64) NOT NULL,"
                " orig_cl_ord_id VARCHAR(64) NOT NULL,"
                " ucc VARCHAR(32) NOT NULL,"
                " instrument_id VARCHAR(64) NOT NULL,"
                " product VARCHAR(8) NOT NULL,"
                " side VARCHAR(8) NOT NULL,"
                " exec_type VARCHAR(16) NOT NULL,"
                " ord_status VARCHAR(20) NOT NULL,"
                " order_qty BIGINT NOT NULL,"
                " ord_type VARCHAR(8) NOT NULL,"
                " price BIGINT NOT NULL,"
                " last_qty BIGINT NOT NULL,"
                " last_px BIGINT NOT NULL,"
                " cum_qty BIGINT NOT NULL,"
                " leaves_qty BIGINT NOT NULL,"
                " avg_px BIGINT NOT NULL,"
                " transact_time VARCHAR(40) NOT NULL,"
                " text VARCHAR(512) NOT NULL,"
                " rej_reason BIGINT,"
                " origin VARCHAR(16) NOT NULL,"
                " actor VARCHAR(128) NOT NULL,"
                " idempotency_key VARCHAR(128) NOT NULL,"
                " reason VARCHAR(512) NOT NULL,"
                " placed_at VARCHAR(40) NOT NULL,"
                " received_at VARCHAR(40) NOT NULL,"
                " UNIQUE (trading_date, kind, entry_key)){table_options}"),
           index("journal_date_id", "journal", "trading_date, id"),
           stmt("CREATE TABLE IF NOT EXISTS fix_sessions ("
                " name VARCHAR(16) NOT NULL,"
                " trading_date VARCHAR(10) NOT NULL,"
                " next_in_seq BIGINT NOT NULL,"
                " next_out_seq BIGINT NOT NULL,"
                " PRIMARY KEY (name, trading_date)){table_options}"),
           stmt("CREATE TABLE IF NOT EXISTS fix_outbound ("
                " name VARCHAR(16) NOT NULL,"
                " trading_date VARCHAR(10) NOT NULL,"
                " seq BIGINT NOT NULL,"
                " raw TEXT NOT NULL,"
                " PRIMARY KEY (name, trading_date, seq)){table_options}"),
           stmt("CREATE TABLE IF NOT EXISTS idempotency ("
                " trading_date VARCHAR(10) NOT NULL,"
                " scope VARCHAR(64) NOT NULL,"
                " idem_key VARCHAR(128) NOT NULL,"
                " response TEXT NOT NULL,"
                " created_at VARCHAR(40) NOT NULL,"
                " PRIMARY KEY (trading_date, scope, idem_key)){table_options}"),
       }},
      // ---- end of migration 2 -------------------------------------------------------------
      // ---- migration 3: failover modes, the event outbox, reverse-migration runs ----------
      // mode_transitions: every change of service mode, newest last; a restarted server
      // comes back in the last row's to_mode. outbox: events written in the same
      // transaction as the change they describe, deleted once the sink confirmed them
      // (event_id is what consumers de-duplicate by). reverse_migrations: one row per
      // completed `irra reverse-migrate` run.
      {3,
       "failover modes, event outbox, reverse-migration runs",
       {
           stmt("CREATE TABLE IF NOT EXISTS mode_transitions ("
                " id {autoinc_pk},"
                " at VARCHAR(40) NOT NULL,"
                " from_mode VARCHAR(16) NOT NULL,"
                " to_mode VARCHAR(16) NOT NULL,"
                " trigger_kind VARCHAR(32) NOT NULL,"
                " actor VARCHAR(128) NOT NULL,"
                " reason VARCHAR(512) NOT NULL){table_options}"),
           stmt("CREATE TABLE IF NOT EXISTS outbox ("
                " id {autoinc_pk},"
                " event_id VARCHAR(64) NOT NULL,"
                " queue VARCHAR(64) NOT NULL,"
                " body TEXT NOT NULL,"
                " created_at VARCHAR(40) NOT NULL,"
                " UNIQUE (event_id)){table_options}"),
           stmt("CREATE TABLE IF NOT EXISTS reverse_migrations ("
                " id {autoinc_pk},"
                " started_at VARCHAR(40) NOT NULL,"
                " finished_at VARCHAR(40) NOT NULL,"
                " trading_date VARCHAR(10) NOT NULL,"
                " target VARCHAR(512) NOT NULL,"
                " orders BIGINT NOT NULL,"
                " trades BIGINT NOT NULL,"
                " orders_written BIGINT NOT NULL,"
                " trades_written BIGINT NOT NULL,"
                " summary TEXT NOT NULL){table_options}"),
       }},
      // ---- end of migration 3 -------------------------------------------------------------
      {4,
       "staff accounts and bulk square-off jobs",
       {
           // password_hash: libsodium's Argon2id string; totp_secret: base32 (RFC 4648);
           // last_totp_step: the last TOTP time step accepted (each code works once).
           stmt("CREATE TABLE IF NOT EXISTS staff_users ("
                " user_name VARCHAR(64) NOT NULL PRIMARY KEY,"
                " role VARCHAR(16) NOT NULL,"
                " password_hash VARCHAR(255) NOT NULL,"
                " totp_secret VARCHAR(64) NOT NULL,"
                " last_totp_step BIGINT NOT NULL,"
                " disabled SMALLINT NOT NULL,"
                " created_at VARCHAR(40) NOT NULL,"
                " updated_at VARCHAR(40) NOT NULL){table_options}"),
           // One row per job; state: running | paused | cancelled | done.
           stmt("CREATE TABLE IF NOT EXISTS bulk_jobs ("
                " job_id VARCHAR(64) NOT NULL PRIMARY KEY,"
                " trading_date VARCHAR(10) NOT NULL,"
                " product VARCHAR(8) NOT NULL,"
                " segment VARCHAR(8) NOT NULL,"
                " reason VARCHAR(512) NOT NULL,"
                " evidence_ref VARCHAR(512) NOT NULL,"
                " created_by VARCHAR(128) NOT NULL,"
                " created_at VARCHAR(40) NOT NULL,"
                " updated_at VARCHAR(40) NOT NULL,"
                " state VARCHAR(16) NOT NULL,"
                " total BIGINT NOT NULL){table_options}"),
           // The positions a job closes, fixed when it starts (item_no from 0, in order).
           stmt("CREATE TABLE IF NOT EXISTS bulk_job_items ("
                " job_id VARCHAR(64) NOT NULL,"
                " item_no BIGINT NOT NULL,"
                " ucc VARCHAR(32) NOT NULL,"
                " instrument_id VARCHAR(64) NOT NULL,"
                " product VARCHAR(8) NOT NULL,"
                " PRIMARY KEY (job_id, item_no)){table_options}"),
       }},
      // ---- end of migration 4 -------------------------------------------------------------
  };
  return list;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos)) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

// utf8mb4_bin compares like SQLite (byte-wise, case-sensitive), so both backends agree.
std::string dialect_sql(std::string_view sql, Backend b) {
  std::string s(sql);
  const bool my = b == Backend::mysql;
  replace_all(
      s, "{autoinc_pk}",
      my ? "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT");
  replace_all(s, "{table_options}",
              my ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin" : "");
  return s;
}

void run_step(soci::session& sql, Backend b, const Step& step) {
  if (!step.sql.empty()) {
    sql << dialect_sql(step.sql, b);
    return;
  }
  const std::string name(step.index_name), table(step.index_table), cols(step.index_columns);
  if (b == Backend::sqlite3) {
    sql << "CREATE INDEX IF NOT EXISTS " + name + " ON " + table + " (" + cols + ")";
    return;
  }
  int n = 0;
  sql << "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE()"
         " AND table_name = :t AND index_name = :i",
      soci::use(table), soci::use(name), soci::into(n);
  if (n == 0) sql << "CREATE INDEX " + name + " ON " + table + " (" + cols + ")";
}

void ensure_version_table(soci::session& sql, Backend b) {
  sql << dialect_sql(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY,"
      " applied_at VARCHAR(40) NOT NULL){table_options}",
      b);
}

bool is_applied(soci::session& sql, int version) {
  int n = 0;
  sql << "SELECT COUNT(*) FROM schema_migrations WHERE version = :v", soci::use(version),
      soci::into(n);
  return n > 0;
}

void record(soci::session& sql, int version) {
  const std::string now = iso_utc_micros(std::chrono::system_clock::now());
  sql << "INSERT INTO schema_migrations (version, applied_at) VALUES (:v, :t)", soci::use(version),
      soci::use(now);
}

// SQLite: the whole migration, and the version check, in one write transaction.
bool apply_sqlite(soci::session& sql, const Migration& m) {
  sql << "BEGIN IMMEDIATE";
  try {
    if (is_applied(sql, m.version)) {
      sql << "COMMIT";
      return false;
    }
    for (const Step& s : m.steps) run_step(sql, Backend::sqlite3, s);
    record(sql, m.version);
    sql << "COMMIT";
    return true;
  } catch (...) {
    try {
      sql << "ROLLBACK";
    } catch (const std::exception&) {  // the original error says more
    }
    throw;
  }
}

// MySQL: DDL commits by itself; steps are re-runnable and the named lock keeps two
// processes from migrating at once.
bool apply_mysql(soci::session& sql, const Migration& m) {
  if (is_applied(sql, m.version)) return false;
  for (const Step& s : m.steps) run_step(sql, Backend::mysql, s);
  record(sql, m.version);
  return true;
}

class MysqlLock {
 public:
  explicit MysqlLock(soci::session& sql) : sql_(sql) {
    int got = 0;
    soci::indicator ind = soci::i_ok;
    sql_ << "SELECT GET_LOCK('irra_schema_migrations', 60)", soci::into(got, ind);
    if (ind != soci::i_ok || got != 1) {
      throw std::runtime_error("timed out waiting for another process's schema migration");
    }
  }
  ~MysqlLock() {
    try {
      int released = 0;
      soci::indicator ind = soci::i_ok;
      sql_ << "SELECT RELEASE_LOCK('irra_schema_migrations')", soci::into(released, ind);
    } catch (const std::exception&) {  // the lock dies with the connection anyway
    }
  }
  MysqlLock(const MysqlLock&) = delete;
  MysqlLock& operator=(const MysqlLock&) = delete;

 private:
  soci::session& sql_;
};

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

}  // namespace

int schema_version() {
  return migration_list().back().version;
}

int current_schema_version(soci::session& sql) {
  ensure_version_table(sql, backend_of(sql));
  int v = 0;
  soci::indicator ind = soci::i_ok;
  sql << "SELECT MAX(version) FROM schema_migrations", soci::into(v, ind);
  return ind == soci::i_ok ? v : 0;
}

int migrate(soci::session& sql) {
  const Backend b = backend_of(sql);
  int applied = 0;
  const Migration* current = nullptr;
  try {
    ensure_version_table(sql, b);
    std::optional<MysqlLock> lock;
    if (b == Backend::mysql) lock.emplace(sql);
    const int have = current_schema_version(sql);
    if (have > schema_version()) {
      throw std::runtime_error("database schema version " + std::to_string(have) +
                               " is newer than this build supports (" +
                               std::to_string(schema_version()) + ")");
    }
    for (const Migration& m : migration_list()) {
      if (m.version <= have) continue;
      current = &m;
      const bool did = b == Backend::sqlite3 ? apply_sqlite(sql, m) : apply_mysql(sql, m);
      applied += did ? 1 : 0;
    }
  } catch (const soci::soci_error& e) {
    const std::string where = current ? "migration " + std::to_string(current->version) + " (" +
                                            std::string(current->name) + ")"
                                      : std::string("reading the schema version");
    throw std::runtime_error(where + " failed: " + first_line(e.get_error_message()));
  }
  return applied;
}

}  // namespace irra::store
