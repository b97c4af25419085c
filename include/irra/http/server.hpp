// One HTTP(S) listener and its connections on the caller's io_context: keep-alive,
// per-phase deadlines, header/body limits, a connection cap, graceful stop. The API and
// UI listener runs with TLS; the metrics listener is the same server without.
//
// Thread rule: construct, start() and stop() from any one thread; connections run on
// strands of the io_context, which may be run by one or more threads. The Router,
// HttpMetrics and TLS context are shared with the connections and kept alive by them.
// Destroy the Server before its io_context (the destructor stops it if stop() was not called).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "irra/http/metrics.hpp"
#include "irra/http/router.hpp"

namespace irra::http {

struct ServerOptions {
  boost::asio::ip::tcp::endpoint listen{boost::asio::ip::make_address("127.0.0.1"), 8443};
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds header_timeout{10'000};  // from the first byte of a request
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{30'000};  // keep-alive wait for the next request
  // Once connections exceed 3/4 of max_connections, idle ones get this instead, so that
  // a crowd of idle clients makes room for active ones.
  std::chrono::milliseconds busy_idle_timeout{2'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::size_t header_limit = 8 * 1024;   // -> 431
  std::size_t body_limit = 64 * 1024;    // -> 413
  std::size_t max_connections = 20'000;  // beyond: accepted and closed at once
  // Streams (Responder::start_stream): a ": keep-alive" comment this often keeps proxies
  // from closing a quiet stream; a client whose unsent backlog exceeds the limit is cut off.
  std::chrono::milliseconds stream_keepalive{20'000};
  std::size_t stream_backlog_limit = 1024 * 1024;
};

class ServerState;

class Server {
 public:
  // tls == nullptr: plain HTTP (the metrics listener).
  Server(boost::asio::io_context& ioc, std::shared_ptr<boost::asio::ssl::context> tls,
         std::shared_ptr<const Router> router, std::shared_ptr<HttpMetrics> metrics,
         ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. Throws boost::system::system_error when it cannot bind.
  void start();
  // The bound endpoint (the real port when options.listen had port 0).
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  // Stops accepting, closes idle connections, lets in-flight requests finish (answered
  // with Connection: close), ends streams once what is queued on them is written, and
  // force-closes what remains after `grace`. on_stopped runs
  // on the io_context once every connection is gone (or the grace period ended).
  void stop(std::chrono::milliseconds grace, std::function<void()> on_stopped = {});

  std::size_t connection_count() const;

 private:
  std::shared_ptr<ServerState> state_;
};

}  // namespace irra::http
