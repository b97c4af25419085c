#include "irra/http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <utility>
#include <vector>

#include "listener.hpp"
#include "server_state.hpp"

namespace irra::http {
namespace net = boost::asio;

ServerState::ServerState(net::io_context& ioc, std::shared_ptr<net::ssl::context> tls,
                         std::shared_ptr<const Router> router, std::shared_ptr<HttpMetrics> metrics,
                         ServerOptions options)
    : ioc_(ioc),
      tls_(std::move(tls)),
      router_(std::move(router)),
      metrics_(std::move(metrics)),
      options_(std::move(options)),
      strand_(net::make_strand(ioc)),
      grace_timer_(strand_) {}

std::chrono::milliseconds ServerState::idle_timeout() const {
  if (connection_count() > options_.max_connections / 4 * 3) {
    return std::min(options_.idle_timeout, options_.busy_idle_timeout);
  }
  return options_.idle_timeout;
}

std::uint64_t ServerState::add_session(std::weak_ptr<SessionControl> session) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = ++next_id_;
  sessions_.emplace(id, std::move(session));
  count_.store(sessions_.size(), std::memory_order_relaxed);
  return id;
}

void ServerState::remove_session(std::uint64_t id) {
  bool last = false;
  {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
    count_.store(sessions_.size(), std::memory_order_relaxed);
    last = sessions_.empty() && stopping();
  }
  if (last) finish_stop();
}

void ServerState::set_listener(std::shared_ptr<Listener> listener) {
  endpoint_ = listener->local_endpoint();
  listener_ = listener;
}

boost::asio::ip::tcp::endpoint ServerState::listener_endpoint() const {
  return endpoint_;
}

void ServerState::stop(std::chrono::milliseconds grace, std::function<void()> on_stopped) {
  stopping_ = true;  // at once: from now on no session starts another request
  net::dispatch(strand_, [self = shared_from_this(), grace, f = std::move(on_stopped)]() mutable {
    self->do_stop(grace, std::move(f));
  });
}

std::vector<std::shared_ptr<SessionControl>> ServerState::live_sessions() {
  std::vector<std::shared_ptr<SessionControl>> live;
  std::lock_guard lock(mutex_);
  for (auto& [id, weak] : sessions_) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  return live;
}

void ServerState::do_stop(std::chrono::milliseconds grace, std::function<void()> on_stopped) {
  on_stopped_ = std::move(on_stopped);
  if (auto listener = listener_.lock()) listener->stop();
  for (auto& s : live_sessions()) s->shutdown();
  grace_timer_.expires_after(grace);
  grace_timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) { self->on_grace_expired(ec); });
  if (connection_count() == 0) finish_stop();
}

void ServerState::on_grace_expired(boost::system::error_code ec) {
  if (ec) return;  // every connection closed in time
  const auto remaining = live_sessions();
  if (!remaining.empty()) {
    spdlog::warn("http: {} connections still busy after the grace period; closing them",
                 remaining.size());
  }
  for (auto& s : remaining) s->force_close();
  finish_stop();
}

void ServerState::finish_stop() {
  net::dispatch(strand_, [self = shared_from_this()] {
    self->grace_timer_.cancel();
    // Runs at most once, on the io_context, so callers see one thread rule.
    if (auto done = std::exchange(self->on_stopped_, nullptr))
      net::post(self->ioc_, std::move(done));
  });
}

Server::Server(net::io_context& ioc, std::shared_ptr<net::ssl::context> tls,
               std::shared_ptr<const Router> router, std::shared_ptr<HttpMetrics> metrics,
               ServerOptions options)
    : state_(std::make_shared<ServerState>(ioc, std::move(tls), std::move(router),
                                           std::move(metrics), std::move(options))) {}

Server::~Server() {
  if (!state_->stopping()) state_->stop(std::chrono::milliseconds(0), {});
}

void Server::start() {
  auto listener = std::make_shared<Listener>(state_);
  state_->set_listener(listener);
  listener->run();
  spdlog::info("http: listening on {}:{} ({})", listener->local_endpoint().address().to_string(),
               listener->local_endpoint().port(), state_->tls() ? "https" : "http");
}

boost::asio::ip::tcp::endpoint Server::local_endpoint() const {
  return state_->listener_endpoint();
}

void Server::stop(std::chrono::milliseconds grace, std::function<void()> on_stopped) {
  state_->stop(grace, std::move(on_stopped));
}

std::size_t Server::connection_count() const {
  return state_->connection_count();
}

}  // namespace irra::http
