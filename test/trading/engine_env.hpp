// A running engine for one test: a scratch database (a fresh SQLite file, or the MySQL
// database named by IRRA_TEST_DB_URL with every table dropped first), the real store::Writer,
// an io_context with the trading strand, a Book seeded with two instruments, three clients and
// carried-forward positions, and helpers to crash and restart the whole thing.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "irra/domain/book.hpp"
#include "irra/store/database.hpp"
#include "irra/store/writer.hpp"
#include "irra/trading/engine.hpp"

namespace irra::trading::test {

inline constexpr const char* trading_date = "2024-12-02";

domain::Instrument reliance();    // EQ, lot 1, tick 5 paise, band 2200-2700, prev close 2450
domain::Instrument nifty_call();  // FO, lot 25, freeze 1800, tick 5, band 0.05-600

// A report of `order_id` (client `ucc`, RELIANCE MIS unless changed) as the exchange sends it.
domain::ExecReport new_report(std::string exec_id, std::string order_id, domain::Side side,
                              domain::Qty qty, std::string ucc = "C1",
                              std::string instrument = "NSE:RELIANCE");
domain::ExecReport fill_report(std::string exec_id, std::string order_id, domain::Side side,
                               domain::Qty qty, domain::Qty last_qty, domain::Paise last_px,
                               domain::Qty cum_qty, std::string ucc = "C1",
                               std::string instrument = "NSE:RELIANCE");

// Records every call, optionally running a check at the moment of the call.
class RecordingSender : public OrderSender {
 public:
  struct Call {
    bool cancel = false;
    domain::Order order;
    std::string cancel_cl_ord_id;
  };
  bool ready() const override { return is_ready; }
  void send_new_order(const domain::Order& order) override;
  void send_cancel(const domain::Order& order, std::string_view cancel_cl_ord_id) override;

  bool is_ready = true;
  std::vector<Call> calls;
  std::function<void(const Call&)> on_call;
};

class EngineEnv {
 public:
  explicit EngineEnv(EngineOptions options = {}, store::WriterOptions writer_options = {});
  ~EngineEnv();
  EngineEnv(const EngineEnv&) = delete;
  EngineEnv& operator=(const EngineEnv&) = delete;

  Engine& engine() { return *engine_; }
  domain::Book& book() { return *book_; }
  store::Writer& writer() { return *writer_; }
  const store::DbUrl& url() const { return url_; }
  bool is_mysql() const { return url_.backend == store::Backend::mysql; }
  const std::filesystem::path& dir() const { return dir_; }
  boost::asio::io_context& ioc() { return ioc_; }
  boost::asio::any_io_executor strand() const { return strand_; }
  const ReplayCounts& replayed() const { return replayed_; }

  // Runs `f` on the strand and the reactor until it has run.
  void on_strand(const std::function<void()>& f);
  // Runs the reactor until `done()` or the timeout (returns done()).
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Runs the reactor until every batch submitted so far has committed.
  void settle();

  // kill -9: the engine vanishes with whatever it had not yet submitted; what the writer
  // already accepted commits (as it would have on a real crash only if it got there, which
  // tests treat as already durable). Then a new process: fresh Book, writer, engine, load().
  void crash_and_restart();
  // A clean restart: flush, let everything commit, then start again.
  void restart();

  // A new connection to the database, for checks behind the engine's back.
  std::unique_ptr<soci::session> connect() const;
  long long count(const std::string& sql_where) const;  // SELECT COUNT(*) FROM ...

  static std::unique_ptr<domain::Book> seeded_book(const std::string& date = trading_date);

 private:
  void start();
  void stop_all(bool flush);

  EngineOptions options_;
  store::WriterOptions writer_options_;
  std::filesystem::path dir_;
  store::DbUrl url_;
  boost::asio::io_context ioc_;
  boost::asio::any_io_executor strand_;
  std::unique_ptr<domain::Book> book_;
  std::unique_ptr<store::Writer> writer_;
  std::unique_ptr<Engine> engine_;
  ReplayCounts replayed_;
};

// The mirror as comparable text: every position (with its P&L accounting), order and trade.
std::string snapshot(const domain::Book& book);

}  // namespace irra::trading::test
