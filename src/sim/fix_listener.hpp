// The FIX acceptor port: accepts TCP connections and hands each to a fix_connection.
// Thread rule: the simulator's single thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

namespace irra::sim {

class exchange;
class fix_connection;

class fix_listener {
 public:
  fix_listener(boost::asio::io_context& ioc, exchange& ex);
  // Throws boost::system::system_error when it cannot bind.
  void start(const boost::asio::ip::tcp::endpoint& endpoint);
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

 private:
  void do_accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  exchange& ex_;
  std::vector<std::weak_ptr<fix_connection>> connections_;
  bool stopped_ = false;
};

}  // namespace irra::sim
