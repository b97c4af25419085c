#include "plain_session.hpp"

namespace irra::http {

PlainSession::PlainSession(boost::asio::ip::tcp::socket&& socket,
                           std::shared_ptr<ServerState> state, boost::asio::ip::address remote)
    : Session(std::move(state), std::move(remote)), stream_(std::move(socket)) {}

void PlainSession::run() {
  // Start on the strand so that nothing here races a shutdown() posted by the registry.
  boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->register_self();
    self->do_read();
  });
}

void PlainSession::do_close() {
  // Send a FIN and let the peer close; a lingering half-open socket is bounded by the
  // destructor closing it.
  phase_ = Phase::closing;
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  closed_ = true;
}

}  // namespace irra::http
