// `irra reverse-migrate` on a real engine, journal and target: what is handed over, that a
// second run writes nothing, and that a later change of state is written.
#include <soci/soci.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "engine_env.hpp"
#include "irra/reverse/records.hpp"
#include "irra/reverse/run_log.hpp"
#include "irra/reverse/targets.hpp"
#include "irra/store/audit.hpp"

using namespace irra::domain;
using namespace irra::trading;
using namespace irra::trading::test;
using namespace irra::reverse;
namespace fs = std::filesystem;

namespace {

constexpr Timestamp base = 1'733'130'900'000'000;  // 2024-12-02T09:15:00Z
constexpr Timestamp activated = base + 1'000'000;  // the service went ACTIVE here

ExecReport at(ExecReport r, Timestamp t) {
  r.transact_time = t;
  return r;
}

EngineOptions fixed_clock() {
  EngineOptions o;
  o.clock = [] { return activated + 5; };
  return o;
}

// A day in miniature: main-site fills before and after the activation, a square-off by C1
// partly filled, and a main-site order of C1 that IRRA asked to cancel.
class Day {
 public:
  Day() : env_(fixed_clock()) {
    env_.on_strand([&] { env_.engine().set_order_sender(&sender_); });
    auto sql = env_.connect();
    const std::string when = format_iso8601(activated);
    *sql << "INSERT INTO mode_transitions (at, from_mode, to_mode, trigger_kind, actor, reason)"
            " VALUES (:at, 'standby', 'active', 'probe', 'system', 'main site down')",
        soci::use(when);

    report(at(new_report("E1", "O1", Side::buy, 10, "C2"), base));
    report(at(fill_report("E2", "O1", Side::buy, 10, 10, 245000, 10, "C2"), base + 10));
    report(at(new_report("E3", "O2", Side::buy, 20, "C2"), activated + 1));
    report(at(fill_report("E4", "O2", Side::buy, 20, 20, 245500, 20, "C2"), activated + 2));
    report(at(new_report("E5", "O3", Side::buy, 5, "C1"), activated + 3));

    SquareOff s;
    s.instrument_id = "NSE:RELIANCE";
    s.product = Product::mis;
    s.request.qty = 40;
    s.request.order_type = OrderType::limit;
    s.request.price = 245000;
    const auto placed = await([&](OrderCompletion done) {
      env_.engine().square_off(Actor{Origin::staff, "staff:asha", "call 1234"}, "C1", s, "k1",
                               std::move(done));
    });
    REQUIRE(placed.ok());
    REQUIRE(placed.order_ids.size() == 1);
    backup_id_ = placed.order_ids[0];
    const auto cancelled = await([&](OrderCompletion done) {
      env_.engine().cancel_order(Actor{Origin::investor, "C1", {}}, "C1", "O3", std::move(done));
    });
    REQUIRE(cancelled.ok());

    auto ack = at(new_report("E6", "X1", Side::sell, 40, "C1"), activated + 10);
    ack.cl_ord_id = backup_id_;
    report(ack);
    fill_backup("E7", 10, 10, activated + 11);
    auto cxl = at(new_report("E8", "O3", Side::buy, 5, "C1"), activated + 12);
    cxl.exec_type = ExecType::cancelled;
    cxl.ord_status = OrderStatus::cancelled;
    cxl.leaves_qty = 0;
    cxl.text = "cancelled on request";
    report(cxl);
  }

  void fill_backup(std::string exec_id, Qty last, Qty cum, Timestamp t) {
    auto f = at(fill_report(std::move(exec_id), "X1", Side::sell, 40, last, 245000, cum, "C1"), t);
    f.cl_ord_id = backup_id_;
    report(f);
  }

  DayRecords collect() {
    auto sql = env_.connect();
    return collect_day(*sql, trading_date);
  }

  EngineEnv& env() { return env_; }
  const std::string& backup_id() const { return backup_id_; }

 private:
  void report(const ExecReport& r) {
    env_.on_strand([&] { env_.engine().on_exec_report("DC", ++seq_, r); });
    env_.settle();
  }
  OrderAnswer await(const std::function<void(OrderCompletion)>& request) {
    std::optional<OrderAnswer> answer;
    env_.on_strand([&] { request([&](OrderAnswer a) { answer = std::move(a); }); });
    env_.run_until([&] { return answer.has_value(); });
    REQUIRE(answer.has_value());
    env_.settle();
    return *answer;
  }

  RecordingSender sender_;  // outlives the engine in env_
  EngineEnv env_;
  std::string backup_id_;
  std::uint64_t seq_ = 0;
};

// The main system's database: a SQLite file of its own, or the MySQL test database.
irra::store::DbUrl target_url(EngineEnv& env) {
  if (env.is_mysql()) return env.url();
  return irra::store::DbUrl::parse("sqlite3://" + (env.dir() / "main.db").string());
}

// A table's rows as text, ordered by key: what a byte-for-byte comparison needs.
std::string dump(soci::session& sql, const Table& t) {
  std::string cols, keys;
  for (const Column& c : t.columns) {
    cols += (cols.empty() ? "" : " || '|' || ") + std::string("CAST(") + std::string(c.name) +
            " AS CHAR)";
    if (c.key) keys += (keys.empty() ? "" : ", ") + std::string(c.name);
  }
  if (irra::store::backend_of(sql) == irra::store::Backend::mysql) {
    cols.clear();
    for (const Column& c : t.columns) {
      cols += (cols.empty() ? "CONCAT_WS('|', " : ", ") + std::string(c.name);
    }
    cols += ")";
  }
  std::vector<std::string> rows(100000);
  sql << "SELECT " + cols + " FROM " + std::string(t.name) + " ORDER BY " + keys, soci::into(rows);
  std::string out;
  for (const auto& r : rows) out += r + "\n";
  return out;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const OrderRecord* find_order(const DayRecords& d, const std::string& id) {
  for (const auto& o : d.orders) {
    if (o.order_id == id) return &o;
  }
  return nullptr;
}

}  // namespace

TEST_CASE(
    "the backup's orders and the trades done while ACTIVE are handed over in their final state") {
  Day day;
  const DayRecords d = day.collect();
  CHECK(d.trading_date == trading_date);
  REQUIRE(d.active.size() == 1);
  CHECK(d.active[0] == ActivePeriod{activated, std::nullopt});

  // Orders: the square-off, and the main-site order IRRA asked to cancel; not the others.
  REQUIRE(d.orders.size() == 2);
  CHECK(find_order(d, "O1") == nullptr);
  CHECK(find_order(d, "O2") == nullptr);
  const OrderRecord* b = find_order(d, day.backup_id());
  REQUIRE(b != nullptr);
  CHECK(b->source == "backup");
  CHECK(b->exchange_order_id == "X1");
  CHECK(b->cl_ord_id == day.backup_id());
  CHECK(b->ucc == "C1");
  CHECK(b->side == "SELL");
  CHECK(b->order_type == "LIMIT");
  CHECK(b->qty == 40);
  CHECK(b->price == 245000);
  CHECK(b->filled_qty == 10);
  CHECK(b->avg_price == 245000);
  CHECK(b->filled_value == 10 * 245000);
  CHECK(b->status == "PARTIALLY_FILLED");
  CHECK(b->origin == "staff");
  CHECK(b->placed_by == "staff:asha");
  CHECK(b->placed_reason == "call 1234");
  CHECK(b->placed_at == activated + 5);
  CHECK(b->updated_at == activated + 11);
  CHECK(b->cancel_requested_at == 0);
  const OrderRecord* m = find_order(d, "O3");
  REQUIRE(m != nullptr);
  CHECK(m->source == "main");
  CHECK(m->exchange_order_id == "O3");
  CHECK(m->status == "CANCELLED");
  CHECK(m->reason == "cancelled on request");
  CHECK(m->origin.empty());
  CHECK(m->cancel_requested_by == "C1");
  CHECK(m->cancel_requested_at == activated + 5);

  // Trades: the square-off's fill and the main-site fill after the activation.
  REQUIRE(d.trades.size() == 2);
  CHECK(d.trades[0].trade_id == "E4");
  CHECK(d.trades[0].source == "main");
  CHECK(d.trades[0].order_id == "O2");
  CHECK(d.trades[0].exchange_order_id == "O2");
  CHECK(d.trades[0].qty == 20);
  CHECK(d.trades[0].price == 245500);
  CHECK(d.trades[0].value == 20 * 245500);
  CHECK(d.trades[1].trade_id == "E7");
  CHECK(d.trades[1].source == "backup");
  CHECK(d.trades[1].order_id == day.backup_id());
  CHECK(d.trades[1].exchange_order_id == "X1");
  CHECK(d.trades[1].traded_at == activated + 11);
}

TEST_CASE("with no ACTIVE period recorded only the backup's own trades are handed over") {
  Day day;
  {
    auto sql = day.env().connect();
    *sql << "DELETE FROM mode_transitions";
  }
  const DayRecords d = day.collect();
  CHECK(d.active.empty());
  CHECK(d.orders.size() == 2);
  REQUIRE(d.trades.size() == 1);
  CHECK(d.trades[0].source == "backup");
}

TEST_CASE("a second run into the database writes nothing and leaves it byte for byte the same") {
  Day day;
  auto target = irra::store::connect(target_url(day.env()));
  const auto first = write_database(*target, day.collect());
  CHECK(first.orders_new == 2);
  CHECK(first.trades_new == 2);
  CHECK(first.orders_updated == 0);
  CHECK(first.trades_updated == 0);
  const std::string orders = dump(*target, orders_table());
  const std::string trades = dump(*target, trades_table());
  CHECK(orders.find("|PARTIALLY_FILLED|") != std::string::npos);

  const auto second = write_database(*target, day.collect());
  CHECK(second.orders_written() == 0);
  CHECK(second.trades_written() == 0);
  CHECK(dump(*target, orders_table()) == orders);
  CHECK(dump(*target, trades_table()) == trades);
}

TEST_CASE("an order filled further after a run is updated and its new trade added") {
  Day day;
  auto target = irra::store::connect(target_url(day.env()));
  write_database(*target, day.collect());
  day.fill_backup("E9", 30, 40, activated + 20);

  const auto again = write_database(*target, day.collect());
  CHECK(again.orders_new == 0);
  CHECK(again.orders_updated == 1);
  CHECK(again.trades_new == 1);
  CHECK(again.trades_updated == 0);
  std::string status;
  long long filled = 0, avg = 0;
  std::string avg_rupees, updated_at;
  const std::string date = trading_date;
  *target << "SELECT status, filled_qty, avg_price_paise, CAST(avg_price AS CHAR), updated_at"
             " FROM irra_backup_orders WHERE trading_date = :d AND order_id = :o",
      soci::use(date), soci::use(day.backup_id()), soci::into(status), soci::into(filled),
      soci::into(avg), soci::into(avg_rupees), soci::into(updated_at);
  CHECK(status == "FILLED");
  CHECK(filled == 40);
  CHECK(avg == 245000);
  CHECK(avg_rupees.substr(0, 4) == "2450");
  CHECK(updated_at == format_iso8601(activated + 20));
  long long trades = 0;
  *target << "SELECT COUNT(*) FROM irra_backup_trades", soci::into(trades);
  CHECK(trades == 3);
  CHECK(write_database(*target, day.collect()).orders_written() == 0);
}

TEST_CASE("a row changed in the target is put back to the journal's state") {
  Day day;
  auto target = irra::store::connect(target_url(day.env()));
  write_database(*target, day.collect());
  *target << "UPDATE irra_backup_orders SET status = 'OPEN' WHERE order_id = :o",
      soci::use(day.backup_id());
  const auto again = write_database(*target, day.collect());
  CHECK(again.orders_updated == 1);
  std::string status;
  *target << "SELECT status FROM irra_backup_orders WHERE order_id = :o",
      soci::use(day.backup_id()), soci::into(status);
  CHECK(status == "PARTIALLY_FILLED");
}

TEST_CASE("files: the same bytes on a second run, changes counted on a later one") {
  Day day;
  const fs::path dir = day.env().dir() / "handover";
  const auto first = write_files(dir, day.collect());
  CHECK(first.counts.orders_new == 2);
  CHECK(first.counts.trades_new == 2);
  const std::vector<std::string> names = {"orders.csv", "orders.json", "trades.csv", "trades.json",
                                          "summary.json"};
  std::map<std::string, std::string> before;
  for (const auto& n : names) before[n] = read_all(dir / n);

  const auto second = write_files(dir, day.collect());
  CHECK(second.counts.orders_written() == 0);
  CHECK(second.counts.trades_written() == 0);
  for (const auto& n : names) CHECK(read_all(dir / n) == before[n]);
  CHECK(files_trading_date(dir) == std::string(trading_date));

  const auto& csv = before["orders.csv"];
  CHECK(csv.starts_with("trading_date,order_id,source,exchange_order_id,"));
  CHECK(csv.find(",2450.00,") != std::string::npos);
  CHECK(csv.find("\r\n") != std::string::npos);
  const auto summary = nlohmann::json::parse(before["summary.json"]);
  CHECK(summary["trading_date"] == trading_date);
  CHECK(summary["orders"]["total"] == 2);
  CHECK(summary["orders"]["by_source"]["backup"] == 1);
  CHECK(summary["trades"]["by_source"]["main"] == 1);
  CHECK(summary["trades"]["qty"] == 30);
  CHECK(summary["files"]["trades.csv"]["rows"] == 2);
  CHECK(summary["files"]["orders.json"]["sha256"].get<std::string>().size() == 64);
  CHECK(summary["active_periods"][0]["from"] == format_iso8601(activated));
  CHECK(summary["active_periods"][0]["to"].is_null());
  const auto orders = nlohmann::json::parse(before["orders.json"]);
  REQUIRE(orders.size() == 2);
  CHECK(orders[1]["price"] == 2450);
  CHECK(orders[1]["price_paise"] == 245000);

  day.fill_backup("E9", 30, 40, activated + 20);
  const auto third = write_files(dir, day.collect());
  CHECK(third.counts.orders_new == 0);
  CHECK(third.counts.orders_updated == 1);
  CHECK(third.counts.trades_new == 1);
  CHECK(read_all(dir / "orders.csv") != before["orders.csv"]);
}

TEST_CASE("a run is recorded in reverse_migrations and in the audit trail") {
  Day day;
  auto sql = day.env().connect();
  RunRecord run;
  run.started_at = irra::store::AuditChain::now_ts();
  run.finished_at = irra::store::AuditChain::now_ts();
  run.trading_date = trading_date;
  run.target = "mysql://main:***@db:3306/main";
  run.orders = 2;
  run.trades = 2;
  run.orders_written = 2;
  run.trades_written = 1;
  run.summary = "{}";
  const auto rec = record_run(*sql, run);
  CHECK(rec.event.type == "reverse_migration.run");
  long long rows = 0, written = 0;
  std::string target;
  *sql << "SELECT COUNT(*), MAX(trades_written), MAX(target) FROM reverse_migrations",
      soci::into(rows), soci::into(written), soci::into(target);
  CHECK(rows == 1);
  CHECK(written == 1);
  CHECK(target == run.target);
  CHECK(irra::store::audit::verify(*sql).ok);
}
