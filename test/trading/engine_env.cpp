#include "engine_env.hpp"

#include <soci/soci.h>

#include <boost/asio/executor_work_guard.hpp>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace irra::trading::test {

namespace net = boost::asio;
using namespace irra::domain;

Instrument reliance() {
  Instrument i;
  i.instrument_id = "NSE:RELIANCE";
  i.exchange = "NSE";
  i.segment = Segment::eq;
  i.symbol = "RELIANCE";
  i.lot_size = 1;
  i.tick_size = 5;
  i.freeze_qty = 100000;
  i.lower_band = 220000;
  i.upper_band = 270000;
  i.prev_close = 245000;
  return i;
}

Instrument nifty_call() {
  Instrument i;
  i.instrument_id = "NSE:NIFTY24DEC24000CE";
  i.exchange = "NSE";
  i.segment = Segment::fo;
  i.symbol = "NIFTY24DEC24000CE";
  i.lot_size = 25;
  i.tick_size = 5;
  i.freeze_qty = 1800;
  i.lower_band = 5;
  i.upper_band = 60000;
  i.prev_close = 12000;
  return i;
}

ExecReport new_report(std::string exec_id, std::string order_id, Side side, Qty qty,
                      std::string ucc, std::string instrument) {
  ExecReport r;
  r.exec_id = std::move(exec_id);
  r.order_id = std::move(order_id);
  r.cl_ord_id = "M-" + r.order_id;
  r.ucc = std::move(ucc);
  r.instrument_id = std::move(instrument);
  r.product = Product::mis;
  r.side = side;
  r.exec_type = ExecType::new_;
  r.ord_status = OrderStatus::open;
  r.order_qty = qty;
  r.ord_type = OrderType::limit;
  r.price = 245000;
  r.leaves_qty = qty;
  r.transact_time = 1'733'130'900'000'000;
  return r;
}

ExecReport fill_report(std::string exec_id, std::string order_id, Side side, Qty qty, Qty last_qty,
                       Paise last_px, Qty cum_qty, std::string ucc, std::string instrument) {
  ExecReport r = new_report(std::move(exec_id), std::move(order_id), side, qty, std::move(ucc),
                            std::move(instrument));
  r.exec_type = ExecType::trade;
  r.ord_status = cum_qty == qty ? OrderStatus::filled : OrderStatus::partially_filled;
  r.last_qty = last_qty;
  r.last_px = last_px;
  r.cum_qty = cum_qty;
  r.leaves_qty = qty - cum_qty;
  r.avg_px = last_px;
  r.transact_time += cum_qty;  // distinct, increasing times
  return r;
}

void RecordingSender::send_new_order(const Order& order) {
  calls.push_back(Call{false, order, {}});
  if (on_call) on_call(calls.back());
}

void RecordingSender::send_cancel(const Order& order, std::string_view cancel_cl_ord_id) {
  calls.push_back(Call{true, order, std::string(cancel_cl_ord_id)});
  if (on_call) on_call(calls.back());
}

namespace {

std::filesystem::path make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "irra-trading-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

void drop_all_tables(const store::DbUrl& url) {
  auto sql = store::connect(url);
  std::vector<std::string> tables(1000);
  *sql << "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
      soci::into(tables);
  *sql << "SET FOREIGN_KEY_CHECKS = 0";
  for (const auto& t : tables) *sql << "DROP TABLE IF EXISTS `" + t + "`";
  *sql << "SET FOREIGN_KEY_CHECKS = 1";
}

}  // namespace

std::unique_ptr<Book> EngineEnv::seeded_book(const std::string& date) {
  auto book = std::make_unique<Book>(date);
  book->add_instrument(reliance());
  book->add_instrument(nifty_call());
  for (const char* ucc : {"C1", "C2", "C3"}) {
    book->add_client(Client{ucc, "ABCDE1234F", std::string("Client ") + ucc, "9999912345",
                            "c@example.com", true});
  }
  // C1 carries 100 RELIANCE long (MIS) and 75 NIFTY calls short (NRML); C2 50 RELIANCE long.
  book->add_carried_forward(PositionKey{"C1", "NSE:RELIANCE", Product::mis}, 100, 240000);
  book->add_carried_forward(PositionKey{"C1", "NSE:NIFTY24DEC24000CE", Product::nrml}, -75, 11000);
  book->add_carried_forward(PositionKey{"C2", "NSE:RELIANCE", Product::mis}, 50, 240000);
  return book;
}

EngineEnv::EngineEnv(EngineOptions options, store::WriterOptions writer_options)
    : options_(std::move(options)),
      writer_options_(writer_options),
      dir_(make_temp_dir()),
      strand_(net::make_strand(ioc_)) {
  const char* env = std::getenv("IRRA_TEST_DB_URL");
  if (env != nullptr && *env != '\0') {
    url_ = store::DbUrl::parse(env);
    drop_all_tables(url_);
  } else {
    url_ = store::DbUrl::parse("sqlite3://" + (dir_ / "test.db").string());
  }
  store::open(url_);  // migrations
  start();
}

EngineEnv::~EngineEnv() {
  stop_all(false);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void EngineEnv::start() {
  book_ = seeded_book();
  store::WriterOptions wopts = writer_options_;
  wopts.backoff_initial = std::chrono::milliseconds(5);
  writer_ = std::make_unique<store::Writer>(url_, store::open(url_), wopts);
  engine_ = std::make_unique<Engine>(strand_, *book_, *writer_, options_);
  auto sql = store::connect(url_);
  replayed_ = engine_->load(*sql);
}

void EngineEnv::stop_all(bool flush) {
  if (flush && engine_) {
    on_strand([this] { engine_->flush(); });
    settle();
  }
  engine_.reset();
  if (writer_) writer_->drain_and_stop();
  writer_.reset();
  ioc_.restart();
  ioc_.poll();  // completions of the old engine: ignored (it is gone)
}

void EngineEnv::crash_and_restart() {
  stop_all(false);
  start();
}

void EngineEnv::restart() {
  stop_all(true);
  start();
}

void EngineEnv::on_strand(const std::function<void()>& f) {
  bool ran = false;
  net::post(strand_, [&] {
    f();
    ran = true;
  });
  run_until([&] { return ran; });
}

bool EngineEnv::run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // The guard makes run_for wait for the writer's completions instead of spinning.
  auto guard = net::make_work_guard(ioc_);
  ioc_.restart();
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    ioc_.run_one_for(std::chrono::milliseconds(2));
  }
  return true;
}

void EngineEnv::settle() {
  EngineStats s;
  run_until([&] {
    s = engine_->stats();
    return s.batches_waiting == 0;
  });
  // A flush posted for the end of the turn may still be queued.
  ioc_.restart();
  ioc_.poll();
  run_until([&] { return engine_->stats().batches_waiting == 0; });
}

std::unique_ptr<soci::session> EngineEnv::connect() const {
  return store::connect(url_);
}

long long EngineEnv::count(const std::string& from_where) const {
  auto sql = connect();
  long long n = 0;
  *sql << "SELECT COUNT(*) FROM " + from_where, soci::into(n);
  return n;
}

std::string snapshot(const Book& book) {
  std::ostringstream out;
  for (const auto& p : book.positions()) {
    out << "P " << p.key().ucc << ' ' << p.key().instrument_id << ' ' << to_string(p.key().product)
        << " net=" << p.net_qty() << " cost=" << p.open_cost() << " cash=" << p.cash_flow()
        << " buy=" << p.day_buy_qty() << '/' << p.day_buy_value() << " sell=" << p.day_sell_qty()
        << '/' << p.day_sell_value() << '\n';
  }
  for (const auto& o : book.orders()) {
    out << "O " << o.order_id << ' ' << o.exchange_order_id << ' ' << o.cl_ord_id << ' ' << o.ucc
        << ' ' << o.instrument_id << ' ' << to_string(o.side) << ' ' << o.qty << ' ' << o.filled_qty
        << ' ' << o.filled_value << ' ' << o.price << ' ' << to_string(o.status) << ' '
        << to_string(o.source) << ' ' << o.placed_at << ' ' << o.updated_at << " '" << o.reason
        << "'\n";
  }
  for (const auto& t : book.trades()) {
    out << "T " << t.trade_id << ' ' << t.order_id << ' ' << t.ucc << ' ' << t.qty << ' ' << t.price
        << ' ' << t.time << '\n';
  }
  return out.str();
}

}  // namespace irra::trading::test
