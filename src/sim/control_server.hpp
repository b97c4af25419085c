// The plain-HTTP port of the simulator (--health-listen): the main site's /health and
// the /control endpoints. A small Beast server: keep-alive, 10 s deadlines, 8 KiB of
// headers and 64 KiB of body at most. Thread rule: the simulator's single thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <vector>

namespace irra::sim {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

class http_connection;

class control_server {
 public:
  using handler = std::function<http_response(const http_request&)>;

  control_server(boost::asio::io_context& ioc, handler h);
  // Throws boost::system::system_error when it cannot bind.
  void start(const boost::asio::ip::tcp::endpoint& endpoint);
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

 private:
  void do_accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<handler> handler_;
  std::vector<std::weak_ptr<http_connection>> connections_;
  bool stopped_ = false;
};

}  // namespace irra::sim
