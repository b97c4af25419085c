// The investor REST API (contract section 3): status and probes, OTP login and web sessions,
// the investor's books, square-off / square-off-all / cancel through the engine's risk gate,
// and live updates as Server-Sent Events on /api/v1/stream.
//
// Every handler hops to the trading strand, where the engine (positions, orders), the
// AuthStore (challenges, sessions) and the open streams live, so none of them needs a lock;
// answers go back through the Responder, which posts to the connection's own strand.
// Investor actions are written to the audit trail with time, client, IP and user agent.
//
// Thread rule: construct, register_routes() and start() before the reactor runs (or on the
// trading strand); stop() on the trading strand. Destroy after the HTTP server has stopped.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "irra/http/router.hpp"
#include "irra/web/auth.hpp"

namespace irra::domain {
class Book;
}
namespace irra::trading {
class Engine;
}
namespace irra::store {
class Writer;
class AuditChain;
}  // namespace irra::store
namespace irra::notify {
class Notifier;
}

namespace irra::web {

class ReferenceData;
class StreamHub;

struct ApiOptions {
  AuthSettings auth;
  // Sent as SSE "retry:" (the browser's reconnect delay).
  std::chrono::milliseconds stream_retry{3000};
  // How often expired challenges/sessions are swept and streams of ended sessions closed.
  std::chrono::seconds sweep_interval{15};
};

class Api {
 public:
  Api(boost::asio::any_io_executor trading_strand, trading::Engine& engine,
      const domain::Book& book, const ReferenceData& reference, store::Writer& writer,
      store::AuditChain& audit, notify::Notifier& notifier, ApiOptions options = {});
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Adds every /api/v1 investor route, /healthz and /readyz.
  void register_routes(http::Router& router);
  // Subscribes to the engine's updates and starts the sweep timer (on the trading strand).
  void start();
  // Closes every stream and stops the timer (on the trading strand).
  void stop();

  // For metrics and the admin overview (trading strand).
  std::size_t session_count() const;
  std::size_t stream_count() const;

 private:
  friend class AdminApi;  // the admin terminal shows the same books and acts through the same code
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace irra::web
