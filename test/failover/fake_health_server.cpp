#include "fake_health_server.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

#include "irra/http/tls_context.hpp"

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace irra::failover::test {
namespace {

constexpr std::uint16_t range_size = 1000;

std::uint16_t range_base() {
  if (const char* env = std::getenv("IRRA_TEST_PORT_BASE")) {
    const int v = std::atoi(env);
    if (v > 0 && v + range_size <= 65535) return static_cast<std::uint16_t>(v);
  }
  return 20000;
}

std::uint16_t random_offset() {
  static std::mt19937 rng{std::random_device{}()};
  return static_cast<std::uint16_t>(rng() % range_size);
}

}  // namespace

std::uint16_t listen_in_test_range(tcp::acceptor& acceptor) {
  const auto base = range_base();
  const auto start = random_offset();
  for (std::uint16_t i = 0; i < range_size; ++i) {
    const auto port = static_cast<std::uint16_t>(base + (start + i) % range_size);
    error_code ec;
    if (acceptor.is_open()) acceptor.close(ec);
    acceptor.open(tcp::v4(), ec);
    if (ec) continue;
    acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    acceptor.bind(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    if (ec) continue;
    acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) continue;
    return port;
  }
  throw std::runtime_error("no free port in the test range");
}

std::uint16_t closed_port() {
  net::io_context ioc;
  tcp::acceptor a(ioc);
  const auto port = listen_in_test_range(a);
  a.close();
  return port;
}

struct FakeHealthServer::Conn : std::enable_shared_from_this<Conn> {
  using Tls = ssl::stream<tcp::socket>;
  Conn(FakeHealthServer& server, tcp::socket socket)
      : server(server),
        plain(socket.get_executor()),
        timer(socket.get_executor()),
        alive(server.alive_) {
    if (server.tls_) {
      tls = std::make_unique<Tls>(std::move(socket), *server.tls_);
    } else {
      plain = std::move(socket);
    }
  }

  tcp::socket& lowest() { return tls ? tls->next_layer() : plain; }

  template <class F>
  void with_stream(F f) {
    if (tls) {
      f(*tls);
    } else {
      f(plain);
    }
  }

  void start() {
    if (server.behavior == Behavior::close) {
      error_code ignored;
      lowest().close(ignored);
      return;
    }
    if (tls) {
      tls->async_handshake(ssl::stream_base::server, [self = shared_from_this()](error_code ec) {
        if (!ec) self->read();
      });
    } else {
      read();
    }
  }

  void read() {
    auto handler = [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec || self->alive.expired()) return;
      ++self->server.requests;
      if (self->server.behavior == Behavior::silent) {
        self->timer.expires_after(std::chrono::seconds(30));  // holds the connection open
        self->timer.async_wait([self](error_code) {});
        return;
      }
      self->status = self->server.status;
      self->timer.expires_after(self->server.delay);
      self->timer.async_wait([self](error_code wec) {
        if (!wec) self->answer();
      });
    };
    with_stream([&](auto& s) {
      net::async_read_until(s, net::dynamic_buffer(in, 16384), "\r\n\r\n", handler);
    });
  }

  void answer() {
    out = "HTTP/1.1 " + std::to_string(status) +
          " X\r\nContent-Type: application/json\r\n"
          "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
    with_stream([&](auto& s) {
      net::async_write(s, net::buffer(out), [self = shared_from_this()](error_code, std::size_t) {
        error_code ignored;
        self->lowest().shutdown(tcp::socket::shutdown_both, ignored);
        self->lowest().close(ignored);
      });
    });
  }

  FakeHealthServer& server;
  std::unique_ptr<Tls> tls;
  tcp::socket plain;
  net::steady_timer timer;
  std::weak_ptr<int> alive;
  std::string in;
  std::string out;
  unsigned status = 200;
};

FakeHealthServer::FakeHealthServer(net::io_context& ioc, const std::filesystem::path& tls_dir)
    : ioc_(ioc), acceptor_(ioc) {
  if (!tls_dir.empty()) {
    const auto files = http::ensure_self_signed_certificate(tls_dir, "127.0.0.1");
    tls_ = std::make_shared<ssl::context>(ssl::context::tls_server);
    tls_->use_certificate_chain_file(files.cert_file.string());
    tls_->use_private_key_file(files.key_file.string(), ssl::context::pem);
    cert_file_ = files.cert_file;
  }
  port_ = listen_in_test_range(acceptor_);
  do_accept();
}

FakeHealthServer::~FakeHealthServer() {
  error_code ignored;
  acceptor_.close(ignored);
}

std::string FakeHealthServer::url(const std::string& path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

void FakeHealthServer::do_accept() {
  acceptor_.async_accept([this, alive = std::weak_ptr<int>(alive_)](error_code ec, tcp::socket s) {
    if (alive.expired() || ec == net::error::operation_aborted) return;
    if (!ec) std::make_shared<Conn>(*this, std::move(s))->start();
    do_accept();
  });
}

}  // namespace irra::failover::test
