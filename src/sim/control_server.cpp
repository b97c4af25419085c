#include "control_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>

namespace irra::sim {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {
constexpr auto io_timeout = std::chrono::seconds{10};
}

// One HTTP connection: read a request, answer it, repeat while keep-alive.
class http_connection : public std::enable_shared_from_this<http_connection> {
 public:
  http_connection(net::ip::tcp::socket socket, std::shared_ptr<control_server::handler> h)
      : stream_(std::move(socket)), handler_(std::move(h)) {}

  void start() { do_read(); }
  void stop() {
    error_code ignored;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->header_limit(8 * 1024);
    parser_->body_limit(64 * 1024);
    stream_.expires_after(io_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(const error_code& ec) {
    if (ec == http::error::end_of_stream) return stop();
    if (ec) {
      if (ec == http::error::body_limit || ec == http::error::header_limit) {
        return reply(
            error(ec == http::error::body_limit ? http::status::payload_too_large
                                                : http::status::request_header_fields_too_large),
            false);
      }
      return stop();  // timeouts, resets, malformed requests: just close
    }
    http_request req = parser_->release();
    http_response res = (*handler_)(req);
    res.version(req.version());
    reply(std::move(res), req.keep_alive());
  }

  static http_response error(http::status s) {
    http_response res{s, 11};
    res.set(http::field::content_type, "application/json");
    res.body() = "{\"error\":\"" + std::string(http::obsolete_reason(s)) + "\"}";
    return res;
  }

  void reply(http_response res, bool keep_alive) {
    res.keep_alive(keep_alive);
    res.prepare_payload();
    response_ = std::move(res);
    stream_.expires_after(io_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](const error_code& ec, std::size_t) {
                        if (ec || !keep_alive) return self->stop();
                        self->do_read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http_response response_;
  std::shared_ptr<control_server::handler> handler_;
};

control_server::control_server(net::io_context& ioc, handler h)
    : acceptor_(ioc), handler_(std::make_shared<handler>(std::move(h))) {}

void control_server::start(const net::ip::tcp::endpoint& endpoint) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  do_accept();
}

void control_server::stop() {
  stopped_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  for (auto& weak : connections_) {
    if (auto c = weak.lock()) c->stop();
  }
  connections_.clear();
}

void control_server::do_accept() {
  acceptor_.async_accept([this](const error_code& ec, net::ip::tcp::socket socket) {
    if (stopped_) return;
    if (ec) {
      spdlog::warn("HTTP accept failed: {}", ec.message());
      // Back off briefly (e.g. out of descriptors) instead of spinning.
      auto timer = std::make_shared<net::steady_timer>(acceptor_.get_executor(),
                                                       std::chrono::milliseconds{100});
      timer->async_wait([this, timer](const error_code& e) {
        if (!e && !stopped_) do_accept();
      });
      return;
    }
    std::erase_if(connections_, [](const auto& w) { return w.expired(); });
    auto c = std::make_shared<http_connection>(std::move(socket), handler_);
    connections_.push_back(c);
    c->start();
    do_accept();
  });
}

}  // namespace irra::sim
