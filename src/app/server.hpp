// The running server: one Asio reactor, the trading state on one strand, the database
// writer thread, and systemd integration (READY, WATCHDOG, STOPPING).
//
// Thread rule: construct and run() on the main thread. Everything the reactor runs is on
// that same thread; the writer thread reports back by posting to the trading strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>

#include "exchange_links.hpp"
#include "irra/config/config.hpp"
#include "irra/domain/book.hpp"
#include "irra/store/writer.hpp"
#include "irra/trading/admin_socket.hpp"
#include "irra/trading/engine.hpp"
#include "irra/web/reference_data.hpp"

namespace irra::http {
class Router;
class Server;
class HttpMetrics;
}  // namespace irra::http
namespace irra::notify {
class Notifier;
class Relay;
}
namespace irra::failover {
class Failover;
}
namespace irra::store {
class AuditChain;
}
namespace irra::staff {
class Authenticator;
}
namespace irra::trading {
class BulkJobs;
}
namespace irra::web {
class Api;
class AdminApi;
}

namespace irra::app {

enum class StartMode { configured, active, standby };

class Server {
 public:
  Server(config::Config cfg, StartMode start_mode);
  ~Server();

  // Opens the database (migrations applied), loads the mirror, starts listening, tells
  // systemd it is ready, and runs until SIGTERM/SIGINT; then stops accepting work, drains
  // the pending writes and returns the process exit code.
  int run();

 private:
  void start_watchdog();
  void on_signal(int signo);
  void add_job_commands();
  void start_web();
  void start_metrics();
  std::string render_metrics() const;  // on the trading strand

  config::Config cfg_;
  StartMode start_mode_;
  boost::asio::io_context ioc_{1};
  boost::asio::strand<boost::asio::io_context::executor_type> trading_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer watchdog_;
  std::chrono::microseconds watchdog_interval_{0};
  domain::Book book_;
  std::unique_ptr<store::Writer> writer_;
  std::unique_ptr<trading::Engine> engine_;  // after writer_: destroyed before it
  std::unique_ptr<trading::AdminSocket> admin_;
  std::unique_ptr<ExchangeLinks> links_;  // destroyed before the engine
  web::ReferenceData reference_;
  // The outbox relay (its own thread and connection), then the notifier writing to it.
  std::unique_ptr<notify::Relay> relay_;
  std::unique_ptr<notify::Notifier> notifier_;
  std::unique_ptr<store::AuditChain> audit_;
  std::unique_ptr<web::Api> api_;
  std::unique_ptr<staff::Authenticator> authenticator_;
  std::unique_ptr<trading::BulkJobs> jobs_;  // before the admin API that uses it
  std::unique_ptr<web::AdminApi> admin_api_;
  std::shared_ptr<http::HttpMetrics> http_metrics_;
  std::unique_ptr<http::Server> https_;    // destroyed before the API its routes call
  std::unique_ptr<http::Server> metrics_;
  // The probe and the mode machine; destroyed before the engine, audit chain and writer.
  std::unique_ptr<failover::Failover> failover_;
  bool stopping_ = false;
};

}  // namespace irra::app
