// Test helpers: a real Server on 127.0.0.1 with an ephemeral port, its io_context run
// on a thread, and a real Beast HTTPS (or plain) client driven with deadlines.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "irra/http/metrics.hpp"
#include "irra/http/router.hpp"
#include "irra/http/server.hpp"
#include "irra/http/tls_context.hpp"

namespace irra::http::test {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using ClientResponse = bhttp::response<bhttp::string_body>;

// A fresh, empty directory under the system temp dir, removed at destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// One self-signed certificate per test run (generated into a temp dir).
const std::filesystem::path& shared_tls_dir();
std::shared_ptr<ssl::context> server_tls_context();

ServerOptions test_options();

class TestServer {
 public:
  explicit TestServer(std::shared_ptr<Router> router, ServerOptions options = test_options(),
                      bool tls = true);
  ~TestServer();

  unsigned short port() const { return port_; }
  net::io_context& ioc() { return ioc_; }
  Server& server() { return *server_; }
  HttpMetrics& metrics() { return *metrics_; }

 private:
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::shared_ptr<HttpMetrics> metrics_ = std::make_shared<HttpMetrics>();
  std::unique_ptr<Server> server_;
  unsigned short port_ = 0;
  std::thread thread_;
};

// A client context trusting the shared self-signed certificate, TLS 1.2+ by default.
std::shared_ptr<ssl::context> client_tls_context(int min_version = TLS1_2_VERSION,
                                                 int max_version = TLS1_3_VERSION);

// A synchronous-looking client over async operations with a deadline each.
class Client {
 public:
  explicit Client(unsigned short port, std::shared_ptr<ssl::context> tls = client_tls_context());
  explicit Client(unsigned short port, std::nullptr_t);  // plain HTTP

  beast::error_code connect();  // TCP connect + TLS handshake (if TLS)
  beast::error_code write_raw(const std::string& bytes);
  // Reads until the peer closes or errs; returns the error and how long it took.
  std::pair<beast::error_code, std::chrono::milliseconds> wait_closed(
      std::chrono::milliseconds limit);
  beast::error_code write(bhttp::request<bhttp::string_body>& req);
  beast::error_code read(ClientResponse& res, bool head = false);
  // Reads a response's header only (a stream's head); body bytes that came with it stay
  // buffered for read_until.
  beast::error_code read_header(bhttp::response<bhttp::empty_body>& res);
  // Reads until `delimiter` has arrived; returns the bytes up to and including it.
  std::pair<beast::error_code, std::string> read_until(
      const std::string& delimiter, std::chrono::milliseconds limit = std::chrono::seconds(5));
  // Drops the TCP connection at once (no TLS close_notify).
  void close();

  ClientResponse request(bhttp::verb method, const std::string& target,
                         const std::string& body = {},
                         std::vector<std::pair<std::string, std::string>> headers = {});
  ClientResponse get(const std::string& target) { return request(bhttp::verb::get, target); }

  SSL* native_ssl() { return tls_stream_ ? tls_stream_->native_handle() : nullptr; }

 private:
  template <class Start>
  beast::error_code run(Start&& start, std::chrono::milliseconds limit = std::chrono::seconds(5));
  beast::tcp_stream& lowest();

  unsigned short port_;
  net::io_context ioc_;
  std::shared_ptr<ssl::context> tls_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
  std::unique_ptr<beast::tcp_stream> plain_stream_;
  beast::flat_buffer buffer_;
};

}  // namespace irra::http::test
