#include "irra/notify/relay.hpp"

#include <soci/soci.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "../store/test_db.hpp"
#include "irra/notify/notifier.hpp"
#include "irra/notify/outbox.hpp"
#include "irra/store/writer.hpp"

using namespace irra::notify;
using irra::store::test::TestDb;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

void fill(soci::session& sql, std::size_t n, const std::string& prefix = "e") {
  std::vector<OutboxEvent> evs;
  for (std::size_t i = 0; i < n; ++i) {
    evs.push_back(
        make_event(i % 2 ? "irra.orders" : "irra.trades",
                   json{{"type", "order"}, {"event_id", prefix + std::to_string(i)}, {"seq", i}}));
  }
  insert_events(sql, evs);
}

std::vector<json> read_lines(const std::filesystem::path& file) {
  std::vector<json> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line));
  return out;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

// A sink driven by the test: each deliver() follows the next scripted step (then confirms
// everything once the script is used up), recording what it was given.
struct Scripted final : Sink {
  enum class Step { confirm_all, confirm_half, broken, open_fails };
  struct Shared {
    std::mutex mutex;
    std::vector<Step> script;
    std::vector<std::string> delivered;  // every event_id handed over, in order
    std::vector<std::string> confirmed;
    int opens = 0;
  };
  explicit Scripted(std::shared_ptr<Shared> s) : s_(std::move(s)) {}
  std::string describe() const override { return "scripted"; }
  bool open(std::string& error) override {
    std::lock_guard lock(s_->mutex);
    ++s_->opens;
    if (!s_->script.empty() && s_->script.front() == Step::open_fails) {
      s_->script.erase(s_->script.begin());
      error = "refused";
      return false;
    }
    open_ = true;
    return true;
  }
  bool is_open() const override { return open_; }
  Delivery deliver(const std::vector<OutboxRow>& rows) override {
    std::lock_guard lock(s_->mutex);
    Step step = Step::confirm_all;
    if (!s_->script.empty()) {
      step = s_->script.front();
      s_->script.erase(s_->script.begin());
    }
    Delivery d;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      s_->delivered.push_back(rows[i].event_id);
      const bool ok = step == Step::confirm_all || (step == Step::confirm_half && i % 2 == 0);
      d.confirmed.push_back(ok);
      if (ok) s_->confirmed.push_back(rows[i].event_id);
    }
    if (step == Step::broken) d.error = "connection lost";
    return d;
  }
  void close() override { open_ = false; }
  std::shared_ptr<Shared> s_;
  bool open_ = false;
};

RelayOptions fast() {
  RelayOptions o;
  o.batch_limit = 100;
  o.poll_interval = 1h;  // only wake() starts a pass in these tests
  o.backoff_initial = 5ms;
  o.backoff_max = 20ms;
  return o;
}

}  // namespace

TEST_CASE("the relay writes outbox rows to the file sink in id order and then deletes them") {
  TestDb db;
  auto sql = db.open();
  fill(*sql, 450);
  const auto file = db.dir() / "out" / "notifications.jsonl";
  Relay relay(db.url(), make_file_sink(file), fast());
  relay.wake();
  REQUIRE(eventually([&] { return TestDb::count(*sql, "outbox") == 0; }));
  relay.stop();
  const auto lines = read_lines(file);
  REQUIRE(lines.size() == 450);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    REQUIRE(lines[i]["event_id"] == "e" + std::to_string(i));
    REQUIRE(lines[i]["seq"] == i);
    REQUIRE(lines[i]["queue"] == (i % 2 ? "irra.orders" : "irra.trades"));
  }
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const auto s = relay.stats();
  CHECK(s.published == 450);
  CHECK(s.confirmed == 450);
  CHECK(s.failed == 0);
  CHECK(s.depth == 0);
  CHECK(s.sink == "file " + file.string());
}

TEST_CASE("rows are deleted only once the sink confirmed them; the rest are offered again") {
  TestDb db;
  auto sql = db.open();
  fill(*sql, 250);
  auto shared = std::make_shared<Scripted::Shared>();
  using S = Scripted::Step;
  shared->script = {S::open_fails, S::confirm_half, S::broken, S::confirm_all, S::confirm_half};
  Relay relay(db.url(), std::make_unique<Scripted>(shared), fast());
  relay.wake();
  REQUIRE(eventually([&] { return TestDb::count(*sql, "outbox") == 0; }));
  relay.stop();
  std::lock_guard lock(shared->mutex);
  // Every event confirmed exactly once, and only confirmed rows were deleted: nothing was
  // lost although about half the deliveries failed.
  std::map<std::string, int> times;
  for (const auto& id : shared->confirmed) ++times[id];
  CHECK(times.size() == 250);
  for (const auto& [id, n] : times) REQUIRE(n == 1);
  CHECK(shared->delivered.size() > 250);  // the unconfirmed ones went again
  CHECK(shared->opens >= 3);              // after the refused open and the broken delivery
  const auto s = relay.stats();
  CHECK(s.confirmed == 250);
  CHECK(s.published == shared->delivered.size());
  CHECK(s.failed == s.published - s.confirmed);
  CHECK(s.sink_errors >= 2);
  CHECK(s.last_error.empty());
}

TEST_CASE("a relay that stops before the sink confirms leaves every row for the next one") {
  TestDb db;
  auto sql = db.open();
  fill(*sql, 120);
  {
    auto shared = std::make_shared<Scripted::Shared>();
    shared->script.assign(1000, Scripted::Step::broken);  // a broker that never confirms
    Relay relay(db.url(), std::make_unique<Scripted>(shared), fast());
    relay.wake();
    REQUIRE(eventually([&] {
      std::lock_guard lock(shared->mutex);
      return shared->delivered.size() >= 300;
    }));
    relay.stop(0ms);  // like a crash: nothing was confirmed
    CHECK(relay.stats().confirmed == 0);
  }
  CHECK(TestDb::count(*sql, "outbox") == 120);
  const auto file = db.dir() / "n.jsonl";
  Relay next(db.url(), make_file_sink(file), fast());
  next.wake();
  REQUIRE(eventually([&] { return TestDb::count(*sql, "outbox") == 0; }));
  next.stop();
  CHECK(read_lines(file).size() == 120);
}

TEST_CASE("stop delivers what the outbox holds before it returns") {
  TestDb db;
  auto sql = db.open();
  const auto file = db.dir() / "n.jsonl";
  Relay relay(db.url(), make_file_sink(file), fast());
  fill(*sql, 300);  // no wake(): stop() alone must drain it
  relay.stop(10s);
  CHECK(TestDb::count(*sql, "outbox") == 0);
  CHECK(read_lines(file).size() == 300);
}

TEST_CASE("the relay waits for the database and carries on when it is back") {
  TestDb db;
  // A database without the outbox table yet: every read fails until it exists.
  {
    auto raw = irra::store::connect(db.url());
    *raw << "CREATE TABLE IF NOT EXISTS kv (k BIGINT PRIMARY KEY)";
  }
  const auto file = db.dir() / "n.jsonl";
  Relay relay(db.url(), make_file_sink(file), fast());
  relay.wake();
  REQUIRE(eventually([&] { return relay.stats().db_errors >= 2; }));
  CHECK_FALSE(relay.stats().last_error.empty());
  auto sql = db.open();  // migrations: the outbox appears
  fill(*sql, 10);
  relay.wake();
  REQUIRE(eventually([&] { return TestDb::count(*sql, "outbox") == 0; }));
  CHECK(relay.stats().last_error.empty());
  relay.stop();
  CHECK(read_lines(file).size() == 10);
}

TEST_CASE("the relay sleeps until woken, with the slow poll as a fallback") {
  TestDb db;
  auto sql = db.open();
  auto shared = std::make_shared<Scripted::Shared>();
  auto opts = fast();
  opts.poll_interval = 300ms;
  Relay relay(db.url(), std::make_unique<Scripted>(shared), opts);
  std::this_thread::sleep_for(50ms);
  fill(*sql, 5);
  // Found by the poll within about poll_interval, without a wake().
  REQUIRE(eventually([&] { return TestDb::count(*sql, "outbox") == 0; }, 3s));
  relay.stop();
}

TEST_CASE("the outbox notifier writes through the database writer; the relay delivers") {
  TestDb db;
  auto writer = std::make_unique<irra::store::Writer>(db.url(), db.open());
  const auto file = db.dir() / "n.jsonl";
  auto opts = fast();
  Relay relay(db.url(), make_file_sink(file), opts);
  auto n = make_outbox_notifier(*writer, &relay);
  for (int i = 0; i < 200; ++i) {
    REQUIRE(n->publish("irra.notifications",
                       json{{"type", "otp"}, {"ucc", "C" + std::to_string(i)}, {"otp", "123456"}}));
  }
  CHECK_FALSE(n->publish("", json{{"type", "otp"}}));
  CHECK_FALSE(n->publish("irra.notifications", json::array()));
  auto sql = db.open();
  REQUIRE(eventually([&] { return read_lines(file).size() == 200; }));
  CHECK(eventually([&] { return n->backlog() == 0; }));
  n->stop();
  CHECK_FALSE(n->publish("irra.notifications", json{{"type", "otp"}}));
  writer->drain_and_stop();
  relay.stop();
  const auto lines = read_lines(file);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    REQUIRE(lines[i]["ucc"] == "C" + std::to_string(i));  // in publication order
    REQUIRE(lines[i]["queue"] == "irra.notifications");
    ids.insert(lines[i]["event_id"].get<std::string>());
  }
  CHECK(ids.size() == 200);
  CHECK(TestDb::count(*sql, "outbox") == 0);
}

TEST_CASE("metrics text names the outbox depth, the counters and the broker gauge") {
  RelayStats s;
  s.depth = 7;
  s.published = 10;
  s.confirmed = 3;
  s.failed = 7;
  s.sink_connected = true;
  std::string out;
  render_prometheus(s, out);
  CHECK(out.find("irra_outbox_depth 7\n") != std::string::npos);
  CHECK(out.find("# TYPE irra_outbox_published_total counter\nirra_outbox_published_total 10\n") !=
        std::string::npos);
  CHECK(out.find("irra_outbox_confirmed_total 3\n") != std::string::npos);
  CHECK(out.find("irra_outbox_failed_total 7\n") != std::string::npos);
  CHECK(out.find("irra_notify_broker_connected 1\n") != std::string::npos);
}
