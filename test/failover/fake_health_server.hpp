// An in-process health endpoint on 127.0.0.1 for the probe's tests, on the test's own
// io_context: answers each request with the current `status` after `delay`, or misbehaves
// on purpose (accepts and never answers, closes at once). Plain HTTP or TLS with a
// self-signed certificate for 127.0.0.1.
//
// Ports are taken from IRRA_TEST_PORT_BASE (default 20000) .. +999, the range this
// machine's conventions leave to these tests.
//
// Thread rule: everything on the io_context the test runs.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>

namespace irra::failover::test {

// Opens `acceptor` on a free 127.0.0.1 port of the test range; returns the port.
std::uint16_t listen_in_test_range(boost::asio::ip::tcp::acceptor& acceptor);
// A port of the test range that nothing listens on (connections are refused).
std::uint16_t closed_port();

class FakeHealthServer {
 public:
  enum class Behavior { answer, silent, close };

  // `tls_dir`: where the self-signed pair is made; empty = plain HTTP.
  FakeHealthServer(boost::asio::io_context& ioc, const std::filesystem::path& tls_dir = {});
  ~FakeHealthServer();

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/health") const;
  // The certificate to trust (TLS only).
  std::filesystem::path cert_file() const { return cert_file_; }

  unsigned status = 200;
  std::chrono::milliseconds delay{0};
  Behavior behavior = Behavior::answer;
  std::uint64_t requests = 0;  // request headers received

 private:
  struct Conn;
  void do_accept();

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::filesystem::path cert_file_;
  std::uint16_t port_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace irra::failover::test
