// The whole simulator wired together on one io_context: the FIX acceptor port, the
// health/control HTTP port, the exchange, the journal and the 10 ms timer that drives
// the drop-copy flow, the price walk and the session timers. Used by main() and, in
// process, by the tests.
//
// Thread rule: construct, start() and run the io_context on one thread; stop() may be
// called from any thread (it posts to the io_context).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "control_server.hpp"
#include "exchange.hpp"
#include "fix_listener.hpp"
#include "irra/sod/dump.hpp"
#include "journal.hpp"
#include "sim_options.hpp"

namespace irra::sim {

class simulator {
 public:
  // Throws std::runtime_error when the journal cannot be opened.
  simulator(boost::asio::io_context& ioc, sim_options options, sod::Dump dump);

  // Binds both ports (port 0 picks a free one) and starts the timer. Throws
  // boost::system::system_error naming nothing: main() says which flag failed.
  void start_fix();
  void start_http();
  void start_timer();
  void stop();

  boost::asio::ip::tcp::endpoint fix_endpoint() const { return fix_.local_endpoint(); }
  boost::asio::ip::tcp::endpoint http_endpoint() const { return http_.local_endpoint(); }

  // The endpoint of a "HOST:PORT" option; nullopt when HOST is not an IP address.
  static std::optional<boost::asio::ip::tcp::endpoint> endpoint_of(const host_port& hp);

 private:
  http_response handle(const http_request& req);
  http_response handle_fault(std::string_view fault, const http_request& req);
  void schedule_tick();
  void on_tick();

  boost::asio::io_context& ioc_;
  sim_options options_;
  sod::Dump dump_;
  std::unique_ptr<journal> journal_;
  exchange exchange_;
  fix_listener fix_;
  control_server http_;
  boost::asio::steady_timer tick_timer_;
  bool stopped_ = false;
  bool main_site_up_ = true;
  std::chrono::steady_clock::time_point last_walk_{};
  std::chrono::steady_clock::time_point last_flush_{};
};

}  // namespace irra::sim
