// A connection of the HTTPS listener: TLS handshake under its deadline, then the shared
// HTTP logic, then a TLS shutdown under a deadline. Thread rule: see session.hpp.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>

#include "session.hpp"

namespace irra::http {

class SslSession : public Session<SslSession>, public std::enable_shared_from_this<SslSession> {
 public:
  SslSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerState> state,
             boost::asio::ip::address remote);

  void run();
  beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
  void do_close();

 private:
  void on_handshake(beast::error_code ec);
  void on_shutdown(beast::error_code ec);

  beast::ssl_stream<beast::tcp_stream> stream_;
};

}  // namespace irra::http
