// `irra reverse-migrate --config FILE (--to DB_URL | --out DIR)`: hands the day's backup
// orders and the trades done while ACTIVE over to the main system (docs/reverse-migration.md).
#include <soci/soci.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli.hpp"
#include "irra/app/logging.hpp"
#include "irra/config/config.hpp"
#include "irra/domain/timestamp.hpp"
#include "irra/reverse/records.hpp"
#include "irra/reverse/run_log.hpp"
#include "irra/reverse/targets.hpp"
#include "irra/store/audit.hpp"
#include "irra/store/database.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace irra::app {
namespace {

using nlohmann::ordered_json;

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

// The day of the latest start-of-day import (the server's trading date), or "".
std::string latest_trading_date(soci::session& sql) {
  std::string date;
  soci::indicator ind = soci::i_null;
  sql << "SELECT trading_date FROM sod_imports ORDER BY id DESC LIMIT 1", soci::into(date, ind);
  return sql.got_data() && ind == soci::i_ok ? date : std::string();
}

// file:///abs/path of the output folder, for reverse_migrations.target.
std::string file_url(const fs::path& dir) {
  return "file://" + fs::absolute(dir).lexically_normal().string();
}

}  // namespace

int run_reverse_migrate(const Args& args) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")("config", po::value<std::string>()->required(),
                                                 "configuration file (JSON)")(
      "to", po::value<std::string>(),
      "the main system's database: mysql://USER:PASSWORD@HOST:PORT/DBNAME or sqlite3://PATH")(
      "out", po::value<std::string>(),
      "folder for orders.csv, trades.csv, orders.json, trades.json and summary.json "
      "(created when missing; one folder per trading date)")(
      "trading-date", po::value<std::string>(),
      "the day to hand over, YYYY-MM-DD (default: the latest start-of-day import's)");
  if (wants_help(args)) {
    print_help(
        "irra reverse-migrate --config FILE (--to DB_URL | --out DIR) [--trading-date DATE]",
        "Hands the day's activity on the backup over to the main system: every order IRRA\n"
        "placed (and every main-site order it asked to cancel) in its final state, every\n"
        "trade of those orders, and every main-site trade executed while IRRA was ACTIVE.\n"
        "--to writes them into tables irra_backup_orders and irra_backup_trades of the main\n"
        "system's database (created when missing) in one transaction; --out writes them as\n"
        "CSV and JSON with a summary; give either or both. Running it again writes only what\n"
        "is new or changed (nothing when nothing happened in between). Each run is recorded\n"
        "in table reverse_migrations and in the audit trail. See docs/reverse-migration.md.",
        opts);
    return exit_ok;
  }
  const auto vm = parse_args("reverse-migrate", args, opts);
  if (!vm.count("to") && !vm.count("out")) {
    throw UsageError(
        "reverse-migrate: --to DB_URL or --out DIR is required (see 'irra reverse-migrate "
        "--help')");
  }
  std::optional<store::DbUrl> to;
  if (vm.count("to")) {
    try {
      to = store::DbUrl::parse(vm["to"].as<std::string>());
    } catch (const store::BadDbUrl& e) {
      throw UsageError("reverse-migrate: --to: " + first_line(e.what()));
    }
  }
  std::optional<fs::path> out;
  if (vm.count("out")) {
    out = vm["out"].as<std::string>();
    std::error_code ec;
    if (out->empty()) throw UsageError("reverse-migrate: --out: empty folder name");
    if (fs::exists(*out, ec) && !fs::is_directory(*out, ec)) {
      throw UsageError("reverse-migrate: --out: '" + out->string() + "' is not a directory");
    }
  }
  std::string date;
  if (vm.count("trading-date")) {
    date = vm["trading-date"].as<std::string>();
    if (date.size() != 10 || !domain::parse_date(date)) {
      throw UsageError("reverse-migrate: --trading-date: '" + date + "' is not a date YYYY-MM-DD");
    }
  }
  const auto cfg = config::load_file(vm["config"].as<std::string>());
  setup_logging(cfg.log.level,
                cfg.log.format == config::LogFormat::json ? LogFormat::json : LogFormat::text);

  const std::string started_at = store::AuditChain::now_ts();
  auto sql = store::open(store::DbUrl::parse(cfg.database.url));
  if (date.empty()) date = latest_trading_date(*sql);
  if (date.empty()) {
    throw std::runtime_error(
        "no start-of-day dump imported, so no trading date: give --trading-date");
  }
  if (out) {
    const auto held = reverse::files_trading_date(*out);
    if (held && *held != date) {
      throw UsageError("reverse-migrate: --out: '" + out->string() +
                       "' holds the files of trading date " + *held + "; give another folder");
    }
  }

  reverse::DayRecords day;
  try {
    day = reverse::collect_day(*sql, date);
  } catch (const soci::soci_error& e) {
    throw std::runtime_error("reading IRRA's database failed: " + first_line(e.what()));
  }
  if (day.replay.refused > 0) {
    std::cerr << "irra: reverse-migrate: warning: " << day.replay.refused
              << " journal rows were refused on replay (see the messages above)\n";
  }
  if (day.active.empty()) {
    std::cerr << "irra: reverse-migrate: note: no ACTIVE period recorded in mode_transitions: "
                 "main-site trades are not included\n";
  }

  ordered_json targets = ordered_json::object();
  std::string target;
  reverse::WriteCounts written;
  if (to) {
    reverse::WriteCounts c;
    try {
      auto main_db = store::connect(*to);
      c = reverse::write_database(*main_db, day);
    } catch (const soci::soci_error& e) {
      throw std::runtime_error("writing to " + to->redacted +
                               " failed (nothing written): " + first_line(e.what()));
    }
    targets["database"] = {{"url", to->redacted}, {"written", c.to_json()}};
    target = to->redacted;
    written = c;
  }
  ordered_json summary;
  if (out) {
    const auto r = reverse::write_files(*out, day);
    targets["files"] = {{"dir", file_url(*out)}, {"written", r.counts.to_json()}};
    target += (target.empty() ? "" : " ") + file_url(*out);
    if (!to) written = r.counts;
    summary = r.summary;
  } else {
    summary = reverse::summary_of(day);
  }

  ordered_json report = {
      {"trading_date", day.trading_date},
      {"orders", day.orders.size()},
      {"trades", day.trades.size()},
      {"orders_written", written.orders_written()},
      {"trades_written", written.trades_written()},
      {"targets", targets},
      {"journal", {{"rows", day.replay.rows}, {"refused", day.replay.refused}}},
      {"summary", summary},
  };
  reverse::RunRecord run;
  run.started_at = started_at;
  run.finished_at = store::AuditChain::now_ts();
  run.trading_date = day.trading_date;
  run.target = target.substr(0, 512);  // the column's size
  run.orders = static_cast<std::int64_t>(day.orders.size());
  run.trades = static_cast<std::int64_t>(day.trades.size());
  run.orders_written = written.orders_written();
  run.trades_written = written.trades_written();
  run.summary = report.dump();
  try {
    reverse::record_run(*sql, run);
  } catch (const soci::soci_error& e) {
    throw std::runtime_error(
        "the records were written, but recording the run in IRRA's database failed (running "
        "it again is safe): " +
        first_line(e.what()));
  }
  std::cout << report.dump() << "\n";
  return exit_ok;
}

}  // namespace irra::app
