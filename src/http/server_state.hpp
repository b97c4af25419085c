// What a Server shares with its listener and connections: options, router, metrics, TLS
// context and the registry of live connections used for the cap and for graceful stop.
//
// Thread rule: options, router, metrics and tls are read-only after start. The registry
// is guarded by mutex_ (held only to insert, erase or snapshot); stopping_ is atomic; the
// stop sequence (grace timer, on_stopped) runs on strand_.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "irra/http/metrics.hpp"
#include "irra/http/router.hpp"
#include "irra/http/server.hpp"

namespace irra::http {

class Listener;

// What the registry can ask of a connection; both calls post to its strand.
class SessionControl {
 public:
  virtual ~SessionControl() = default;
  // Stop after the request in flight (if any) is answered, or a stream's queue is written;
  // close at once when idle.
  virtual void shutdown() = 0;
  virtual void force_close() = 0;
};

class ServerState : public std::enable_shared_from_this<ServerState> {
 public:
  ServerState(boost::asio::io_context& ioc, std::shared_ptr<boost::asio::ssl::context> tls,
              std::shared_ptr<const Router> router, std::shared_ptr<HttpMetrics> metrics,
              ServerOptions options);

  boost::asio::io_context& ioc() { return ioc_; }
  boost::asio::ssl::context* tls() const { return tls_.get(); }
  const Router& router() const { return *router_; }
  HttpMetrics& metrics() const { return *metrics_; }
  const ServerOptions& options() const { return options_; }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  std::size_t connection_count() const { return count_.load(std::memory_order_relaxed); }

  // Keep-alive wait: shortened when the server is crowded.
  std::chrono::milliseconds idle_timeout() const;

  std::uint64_t add_session(std::weak_ptr<SessionControl> session);
  void remove_session(std::uint64_t id);

  void set_listener(std::shared_ptr<Listener> listener);
  boost::asio::ip::tcp::endpoint listener_endpoint() const;
  void stop(std::chrono::milliseconds grace, std::function<void()> on_stopped);

 private:
  std::vector<std::shared_ptr<SessionControl>> live_sessions();
  void do_stop(std::chrono::milliseconds grace, std::function<void()> on_stopped);
  void on_grace_expired(boost::system::error_code ec);
  void finish_stop();

  boost::asio::io_context& ioc_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<const Router> router_;
  std::shared_ptr<HttpMetrics> metrics_;
  const ServerOptions options_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> count_{0};
  // Weak: the listener owns itself through its pending accept and holds this state;
  // a strong pointer here would be a cycle that outlives the server.
  std::weak_ptr<Listener> listener_;
  boost::asio::ip::tcp::endpoint endpoint_;

  std::mutex mutex_;
  std::uint64_t next_id_ = 0;                                                  // GUARDED_BY(mutex_)
  std::unordered_map<std::uint64_t, std::weak_ptr<SessionControl>> sessions_;  // GUARDED_BY(mutex_)
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer grace_timer_;  // on strand_
  std::function<void()> on_stopped_;       // on strand_
};

}  // namespace irra::http
