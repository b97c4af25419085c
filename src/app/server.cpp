#include "server.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <csignal>

#include "irra/store/database.hpp"
#include "state_loader.hpp"

namespace net = boost::asio;

namespace irra::app {

Server::Server(config::Config cfg, StartMode start_mode)
    : cfg_(std::move(cfg)),
      start_mode_(start_mode),
      trading_(net::make_strand(ioc_)),
      signals_(ioc_, SIGTERM, SIGINT),
      watchdog_(ioc_) {}

Server::~Server() = default;

int Server::run() {
  const auto started = std::chrono::steady_clock::now();
  spdlog::info("irra starting; configuration {}", cfg_.redacted_json());

  const auto url = store::DbUrl::parse(cfg_.database.url);
  auto sql = store::open(url);
  spdlog::info("database {} open, schema version {}", url.redacted, store::schema_version());

  const auto loaded = load_start_of_day(*sql, book_);
  if (loaded.trading_date.empty()) {
    spdlog::warn("no start-of-day dump imported yet: run 'irra sod-import' before market open");
  }
  spdlog::info("mirror loaded: trading date {}, {} instruments, {} clients, {} positions",
               loaded.trading_date.empty() ? "-" : loaded.trading_date, loaded.instruments,
               loaded.clients, loaded.positions);

  store::WriterOptions wopts;
  wopts.capacity = cfg_.database.write_queue_limit;
  wopts.batch_limit = cfg_.database.write_batch_max;
  writer_ = std::make_unique<store::Writer>(url, std::move(sql), wopts);

  // The engine replays today's journal over the start-of-day mirror (on a connection of its
  // own: the writer owns the first one now), then owns the Book on the trading strand.
  trading::EngineOptions eopts;
  eopts.order_rate_limit = cfg_.exchange.order_rate_limit;
  eopts.risk.market_protection_bps = cfg_.risk.market_protection_bps;
  engine_ = std::make_unique<trading::Engine>(trading_, book_, *writer_, eopts);
  {
    auto replay_sql = store::connect(url);
    const auto replayed = engine_->load(*replay_sql);
    spdlog::info(
        "journal replayed: {} rows ({} reports, {} backup orders, {} unsent orders "
        "rejected, {} refused)",
        replayed.rows, replayed.execs, replayed.orders, replayed.unsent_orders_failed,
        replayed.refused);
  }
  if (start_mode_ == StartMode::active) engine_->set_mode("active");
  admin_ = std::make_unique<trading::AdminSocket>(trading_, *engine_, cfg_.admin.socket);
  admin_->start();
  links_ = std::make_unique<ExchangeLinks>(trading_, cfg_.exchange, *engine_, book_);
  net::post(trading_, [this] { links_->start(); });

  signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (!ec) on_signal(signo);
  });
  start_watchdog();

  const auto ready_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
  const char* mode = start_mode_ == StartMode::active ? "active (forced at start)" : "standby";
  spdlog::info("irra ready in {} ms, mode {}", ready_ms, mode);
  sd_notifyf(0, "READY=1\nSTATUS=ready, mode %s", mode);

  ioc_.run();

  admin_.reset();
  links_.reset();
  spdlog::info("draining pending database writes");
  const bool drained = writer_->drain_and_stop();
  writer_.reset();
  if (!drained) {
    spdlog::error("some writes could not be committed before the stop deadline");
    return 1;
  }
  spdlog::info("irra stopped cleanly");
  return 0;
}

void Server::on_signal(int signo) {
  if (stopping_) return;
  stopping_ = true;
  spdlog::info("received {}: stopping", signo == SIGTERM ? "SIGTERM" : "SIGINT");
  sd_notify(0, "STOPPING=1");
  // Stop accepting new work: cancel the timers and listeners; pending handlers finish.
  watchdog_.cancel();
  signals_.cancel();
  // On the trading strand: no new admin connections, the engine's open batch submitted,
  // order entry refused from now on; the writer drains after the reactor stops.
  net::post(trading_, [this] {
    if (admin_) admin_->stop();
    // Log out of the exchange first (bounded), so that reports still in flight are applied
    // and persisted; then the engine submits its open batch and refuses order entry.
    links_->stop([this] {
      if (engine_) engine_->stop();
    });
  });
}

void Server::start_watchdog() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
  // Ping at half the period: the ping proves the reactor itself is turning.
  watchdog_interval_ = std::chrono::microseconds(usec / 2);
  spdlog::info("systemd watchdog enabled: pinging every {} ms", watchdog_interval_.count() / 1000);
  struct Tick {
    Server* self;
    void operator()(const boost::system::error_code& ec) const {
      if (ec) return;
      sd_notify(0, "WATCHDOG=1");
      self->watchdog_.expires_after(self->watchdog_interval_);
      self->watchdog_.async_wait(*this);
    }
  };
  sd_notify(0, "WATCHDOG=1");
  watchdog_.expires_after(watchdog_interval_);
  watchdog_.async_wait(Tick{this});
}

}  // namespace irra::app
