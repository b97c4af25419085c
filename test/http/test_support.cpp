#include "test_support.hpp"

#include <random>
#include <stdexcept>

namespace irra::http::test {

TempDir::TempDir(const std::string& tag) {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("irra-http-" + tag + "-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

const std::filesystem::path& shared_tls_dir() {
  static TempDir dir("tls");
  return dir.path();
}

std::shared_ptr<ssl::context> server_tls_context() {
  TlsOptions options;
  options.self_signed_dir = shared_tls_dir();
  options.host = "irra.test";
  return std::make_shared<ssl::context>(make_tls_context(options));
}

ServerOptions test_options() {
  ServerOptions o;
  o.listen = tcp::endpoint(net::ip::make_address("127.0.0.1"), 0);
  o.handshake_timeout = std::chrono::seconds(5);
  o.header_timeout = std::chrono::seconds(5);
  o.body_timeout = std::chrono::seconds(5);
  o.idle_timeout = std::chrono::seconds(5);
  o.write_timeout = std::chrono::seconds(5);
  o.max_connections = 100;
  return o;
}

TestServer::TestServer(std::shared_ptr<Router> router, ServerOptions options, bool tls)
    : work_(net::make_work_guard(ioc_)) {
  server_ = std::make_unique<Server>(ioc_, tls ? server_tls_context() : nullptr, std::move(router),
                                     metrics_, options);
  server_->start();
  port_ = server_->local_endpoint().port();
  thread_ = std::thread([this] { ioc_.run(); });
}

TestServer::~TestServer() {
  std::atomic<bool> stopped{false};
  net::post(ioc_, [&] { server_->stop(std::chrono::milliseconds(200), [&] { stopped = true; }); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!stopped && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  work_.reset();
  ioc_.stop();
  thread_.join();
}

std::shared_ptr<ssl::context> client_tls_context(int min_version, int max_version) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  if (min_version < TLS1_2_VERSION) {
    // Debian's OpenSSL refuses old protocols on the client side by default; lower the
    // client's own bar so that the refusal we observe comes from the server.
    SSL_CTX_set_security_level(ctx->native_handle(), 0);
    SSL_CTX_set_cipher_list(ctx->native_handle(), "ALL:@SECLEVEL=0");
  }
  SSL_CTX_set_min_proto_version(ctx->native_handle(), min_version);
  SSL_CTX_set_max_proto_version(ctx->native_handle(), max_version);
  ctx->load_verify_file((shared_tls_dir() / "self-signed.crt").string());
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

Client::Client(unsigned short port, std::shared_ptr<ssl::context> tls)
    : port_(port), tls_(std::move(tls)) {
  tls_stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc_, *tls_);
  SSL_set_tlsext_host_name(tls_stream_->native_handle(), "localhost");
  tls_stream_->set_verify_callback(ssl::host_name_verification("localhost"));
}

Client::Client(unsigned short port, std::nullptr_t) : port_(port) {
  plain_stream_ = std::make_unique<beast::tcp_stream>(ioc_);
}

beast::tcp_stream& Client::lowest() {
  return tls_stream_ ? beast::get_lowest_layer(*tls_stream_) : *plain_stream_;
}

template <class Start>
beast::error_code Client::run(Start&& start, std::chrono::milliseconds limit) {
  beast::error_code result = net::error::would_block;
  bool done = false;
  lowest().expires_after(limit);
  start([&](beast::error_code ec, auto&&...) {
    result = ec;
    done = true;
  });
  ioc_.restart();
  while (!done && ioc_.run_one()) {
  }
  return result;
}

beast::error_code Client::connect() {
  const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port_);
  auto ec = run([&](auto handler) { lowest().async_connect(ep, handler); });
  if (ec || !tls_stream_) return ec;
  return run(
      [&](auto handler) { tls_stream_->async_handshake(ssl::stream_base::client, handler); });
}

beast::error_code Client::write_raw(const std::string& bytes) {
  if (tls_stream_) {
    return run([&](auto handler) { net::async_write(*tls_stream_, net::buffer(bytes), handler); });
  }
  return run([&](auto handler) { net::async_write(*plain_stream_, net::buffer(bytes), handler); });
}

std::pair<beast::error_code, std::chrono::milliseconds> Client::wait_closed(
    std::chrono::milliseconds limit) {
  const auto start = std::chrono::steady_clock::now();
  char scratch[1024];
  beast::error_code ec;
  while (!ec) {
    ec = run(
        [&](auto handler) {
          if (tls_stream_) {
            tls_stream_->async_read_some(net::buffer(scratch), handler);
          } else {
            plain_stream_->async_read_some(net::buffer(scratch), handler);
          }
        },
        limit);
  }
  return {ec, std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)};
}

beast::error_code Client::write(bhttp::request<bhttp::string_body>& req) {
  if (tls_stream_)
    return run([&](auto handler) { bhttp::async_write(*tls_stream_, req, handler); });
  return run([&](auto handler) { bhttp::async_write(*plain_stream_, req, handler); });
}

beast::error_code Client::read(ClientResponse& res, bool head) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  parser.skip(head);  // a HEAD response has a Content-Length but no body
  beast::error_code ec;
  if (tls_stream_) {
    ec = run([&](auto handler) { bhttp::async_read(*tls_stream_, buffer_, parser, handler); });
  } else {
    ec = run([&](auto handler) { bhttp::async_read(*plain_stream_, buffer_, parser, handler); });
  }
  if (!ec) res = parser.release();
  return ec;
}

beast::error_code Client::read_header(bhttp::response<bhttp::empty_body>& res) {
  bhttp::response_parser<bhttp::empty_body> parser;
  beast::error_code ec;
  if (tls_stream_) {
    ec = run(
        [&](auto handler) { bhttp::async_read_header(*tls_stream_, buffer_, parser, handler); });
  } else {
    ec = run(
        [&](auto handler) { bhttp::async_read_header(*plain_stream_, buffer_, parser, handler); });
  }
  if (!ec) res = parser.release();
  return ec;
}

std::pair<beast::error_code, std::string> Client::read_until(const std::string& delimiter,
                                                             std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    const std::string text = beast::buffers_to_string(buffer_.data());
    const auto pos = text.find(delimiter);
    if (pos != std::string::npos) {
      buffer_.consume(pos + delimiter.size());
      return {{}, text.substr(0, pos + delimiter.size())};
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds(0)) return {beast::error::timeout, text};
    std::size_t got = 0;
    const auto ec = run(
        [&](auto handler) {
          auto on_read = [&got, handler](beast::error_code e, std::size_t n) mutable {
            got = n;
            handler(e);
          };
          if (tls_stream_) {
            tls_stream_->async_read_some(buffer_.prepare(4096), on_read);
          } else {
            plain_stream_->async_read_some(buffer_.prepare(4096), on_read);
          }
        },
        left);
    buffer_.commit(got);
    if (ec) return {ec, text};
  }
}

void Client::close() {
  beast::error_code ignored;
  lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
  lowest().close();
}

ClientResponse Client::request(bhttp::verb method, const std::string& target,
                               const std::string& body,
                               std::vector<std::pair<std::string, std::string>> headers) {
  bhttp::request<bhttp::string_body> req{method, target, 11};
  req.set(bhttp::field::host, "localhost");
  for (auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() || method == bhttp::verb::post) {
    req.body() = body;
    req.prepare_payload();
  }
  auto ec = write(req);
  if (ec) throw std::runtime_error("client write: " + ec.message());
  ClientResponse res;
  ec = read(res, method == bhttp::verb::head);
  if (ec) throw std::runtime_error("client read: " + ec.message());
  return res;
}

}  // namespace irra::http::test
