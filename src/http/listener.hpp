// Accepts connections and hands each socket to a new session (TLS or plain). Refuses
// beyond max_connections by closing at once, and backs off 100 ms on resource errors
// (EMFILE...) instead of spinning.
//
// Thread rule: all work runs on the acceptor's strand; stop() may be called from any thread.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>

namespace irra::http {

class ServerState;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds; throws boost::system::system_error on failure.
  explicit Listener(std::shared_ptr<ServerState> state);

  void run();
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return endpoint_; }

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  std::shared_ptr<ServerState> state_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  boost::asio::ip::tcp::endpoint endpoint_;
};

}  // namespace irra::http
