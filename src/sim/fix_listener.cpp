#include "fix_listener.hpp"

#include <spdlog/spdlog.h>

#include "fix_connection.hpp"

namespace irra::sim {
namespace net = boost::asio;
using boost::system::error_code;

fix_listener::fix_listener(net::io_context& ioc, exchange& ex)
    : acceptor_(ioc), backoff_(ioc), ex_(ex) {}

void fix_listener::start(const net::ip::tcp::endpoint& endpoint) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  do_accept();
}

void fix_listener::stop() {
  stopped_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  backoff_.cancel();
  for (auto& weak : connections_) {
    if (auto c = weak.lock()) c->stop();
  }
  connections_.clear();
}

void fix_listener::do_accept() {
  acceptor_.async_accept([this](const error_code& ec, net::ip::tcp::socket socket) {
    if (stopped_) return;
    if (ec) {
      // Out of descriptors and the like: wait a little instead of spinning.
      spdlog::warn("FIX accept failed: {}", ec.message());
      backoff_.expires_after(std::chrono::milliseconds{100});
      backoff_.async_wait([this](const error_code& e) {
        if (!e && !stopped_) do_accept();
      });
      return;
    }
    std::erase_if(connections_, [](const auto& w) { return w.expired(); });
    auto c = std::make_shared<fix_connection>(std::move(socket), ex_);
    connections_.push_back(c);
    c->start();
    do_accept();
  });
}

}  // namespace irra::sim
