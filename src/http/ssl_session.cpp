#include "ssl_session.hpp"

#include <openssl/ssl.h>

namespace irra::http {

SslSession::SslSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerState> state,
                       boost::asio::ip::address remote)
    : Session(std::move(state), std::move(remote)), stream_(std::move(socket), *state_->tls()) {}

void SslSession::run() {
  boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->register_self();
    if (self->state_->stopping()) return self->close_now();
    self->phase_ = Phase::handshake;
    beast::get_lowest_layer(self->stream_).expires_after(self->state_->options().handshake_timeout);
    self->stream_.async_handshake(boost::asio::ssl::stream_base::server,
                                  beast::bind_front_handler(&SslSession::on_handshake, self));
  });
}

void SslSession::on_handshake(beast::error_code ec) {
  if (ec) {
    fail(ec, "handshake");
    return close_now();
  }
  do_read();
}

void SslSession::do_close() {
  if (closed_) return;
  phase_ = Phase::closing;
  // Send our close_notify without waiting for the peer's: a client that never answers
  // would otherwise hold the connection for the whole shutdown deadline.
  SSL_set_shutdown(stream_.native_handle(), SSL_RECEIVED_SHUTDOWN);
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
  stream_.async_shutdown(beast::bind_front_handler(&SslSession::on_shutdown, shared_from_this()));
}

void SslSession::on_shutdown(beast::error_code ec) {
  // A peer that closes without its own close_notify is normal (stream_truncated).
  if (ec && ec != beast::error::timeout) fail(ec, "shutdown");
  close_now();
}

}  // namespace irra::http
