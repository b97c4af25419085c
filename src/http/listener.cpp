#include "listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "plain_session.hpp"
#include "server_state.hpp"
#include "ssl_session.hpp"

namespace irra::http {
namespace net = boost::asio;
using tcp = net::ip::tcp;

Listener::Listener(std::shared_ptr<ServerState> state)
    : state_(std::move(state)),
      strand_(net::make_strand(state_->ioc())),
      acceptor_(strand_),
      backoff_(strand_) {
  const tcp::endpoint& ep = state_->options().listen;
  acceptor_.open(ep.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(net::socket_base::max_listen_connections);
  endpoint_ = acceptor_.local_endpoint();
}

void Listener::run() {
  net::dispatch(strand_, [self = shared_from_this()] { self->do_accept(); });
}

void Listener::stop() {
  net::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->backoff_.cancel();
  });
}

void Listener::do_accept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand so that handlers never need locks.
  acceptor_.async_accept(net::make_strand(state_->ioc()),
                         beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;  // stopped
  if (ec) {
    state_->metrics().accept_error();
    const bool exhausted = ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
                           ec == net::error::no_memory || ec.value() == ENFILE;
    if (exhausted) {
      // Out of descriptors or memory: accepting again at once would spin at 100% CPU.
      spdlog::warn("http: accept failed ({}); retrying in 100 ms", ec.message());
      backoff_.expires_after(std::chrono::milliseconds(100));
      backoff_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
        if (!wait_ec) self->do_accept();
      });
      return;
    }
    return do_accept();
  }
  if (state_->stopping()) return;
  if (state_->connection_count() >= state_->options().max_connections) {
    // Refused gracefully: an immediate close costs the client one round trip, not a hang.
    state_->metrics().connection_refused();
    boost::system::error_code ignored;
    socket.close(ignored);
    return do_accept();
  }
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto remote = socket.remote_endpoint(ignored).address();
  if (state_->tls()) {
    std::make_shared<SslSession>(std::move(socket), state_, std::move(remote))->run();
  } else {
    std::make_shared<PlainSession>(std::move(socket), state_, std::move(remote))->run();
  }
  do_accept();
}

}  // namespace irra::http
