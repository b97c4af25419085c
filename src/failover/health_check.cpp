#include "health_check.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace irra::failover::detail {
namespace {

constexpr std::size_t header_limit = 16 * 1024;

struct Plain {
  using stream_type = tcp::socket;
  static constexpr bool tls = false;
  static stream_type make(const net::any_io_executor& ex, ssl::context*) { return stream_type(ex); }
};

struct Tls {
  using stream_type = ssl::stream<tcp::socket>;
  static constexpr bool tls = true;
  static stream_type make(const net::any_io_executor& ex, ssl::context* ctx) {
    return stream_type(ex, *ctx);
  }
};

bool is_ip(const std::string& host) {
  error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

template <class Kind>
class Check : public HealthCheck, public std::enable_shared_from_this<Check<Kind>> {
 public:
  Check(const net::any_io_executor& ex, std::shared_ptr<ssl::context> tls,
        const ProbeTarget& target, std::vector<tcp::endpoint> endpoints,
        std::chrono::steady_clock::time_point deadline, const std::string& user_agent,
        CheckDone done)
      : tls_(std::move(tls)),
        endpoints_(std::move(endpoints)),
        resolver_(ex),
        stream_(Kind::make(ex, tls_.get())),
        timer_(ex),
        target_(target),
        deadline_(deadline),
        done_(std::move(done)) {
    request_.method(http::verb::get);
    request_.target(target_.target);
    request_.version(11);
    request_.set(http::field::host, target_.host_header);
    request_.set(http::field::user_agent, user_agent);
    request_.set(http::field::accept, "*/*");
    request_.set(http::field::connection, "close");
    if (!target_.authorization.empty()) {
      request_.set(http::field::authorization, target_.authorization);
    }
    parser_.header_limit(header_limit);
  }

  void start() {
    started_ = std::chrono::steady_clock::now();
    timer_.expires_at(deadline_);
    timer_.async_wait([self = this->shared_from_this()](const error_code& ec) {
      if (!ec) self->on_deadline();
    });
    if (!endpoints_.empty()) return connect();
    resolver_.async_resolve(
        target_.host, target_.port,
        [self = this->shared_from_this()](const error_code& ec, tcp::resolver::results_type r) {
          if (ec) return self->fail(Outcome::dns_error, "resolve", ec);
          self->endpoints_.assign(r.begin(), r.end());
          self->connect();
        });
  }

  void cancel() override {
    if (finished_) return;
    finished_ = true;  // done_ is not called
    done_ = nullptr;
    abort();
  }

 private:
  // Answers "timeout" at once: a cancelled getaddrinfo() only completes when it returns,
  // and the round must not wait for it.
  void on_deadline() {
    if (finished_) return;
    CheckResult r;
    r.outcome = Outcome::timeout;
    r.error = std::string("timed out (") + stage_ + ")";
    finish(std::move(r));
  }

  // Everything in flight completes with operation_aborted (or a socket error).
  void abort() {
    resolver_.cancel();
    error_code ignored;
    boost::beast::get_lowest_layer(stream_).close(ignored);
    timer_.cancel();
  }

  void connect() {
    stage_ = "connect";
    net::async_connect(boost::beast::get_lowest_layer(stream_), endpoints_,
                       [self = this->shared_from_this()](
                           const error_code& cec, const tcp::endpoint&) { self->on_connect(cec); });
  }

  void on_connect(const error_code& ec) {
    if (ec) return fail(Outcome::connect_error, "connect", ec);
    if constexpr (Kind::tls) {
      // SNI for names only (RFC 6066 forbids addresses); the certificate must name the
      // host either way.
      if (!is_ip(target_.host) &&
          !SSL_set_tlsext_host_name(stream_.native_handle(), target_.host.c_str())) {
        return fail(Outcome::tls_error, "sni",
                    error_code(static_cast<int>(ERR_get_error()), net::error::get_ssl_category()));
      }
      stage_ = "TLS handshake";
      stream_.set_verify_mode(ssl::verify_peer);
      stream_.set_verify_callback(ssl::host_name_verification(target_.host));
      stream_.async_handshake(
          ssl::stream_base::client,
          [self = this->shared_from_this()](const error_code& hec) { self->on_handshake(hec); });
    } else {
      send();
    }
  }

  void on_handshake(const error_code& ec) {
    if (ec) return fail(Outcome::tls_error, "TLS handshake", ec);
    send();
  }

  void send() {
    stage_ = "request";
    http::async_write(stream_, request_,
                      [self = this->shared_from_this()](const error_code& ec, std::size_t) {
                        self->on_write(ec);
                      });
  }

  void on_write(const error_code& ec) {
    if (ec) return fail(Outcome::io_error, "write", ec);
    stage_ = "response";
    http::async_read_header(stream_, buffer_, parser_,
                            [self = this->shared_from_this()](const error_code& rec, std::size_t) {
                              self->on_read(rec);
                            });
  }

  void on_read(const error_code& ec) {
    if (ec) return fail(Outcome::io_error, "read", ec);
    const unsigned status = parser_.get().result_int();
    CheckResult r;
    r.status = status;
    if (status >= 200 && status < 300) {
      r.outcome = Outcome::ok;
    } else {
      r.outcome = Outcome::http_error;
      r.error = "HTTP " + std::to_string(status);
    }
    finish(std::move(r));
  }

  void fail(Outcome outcome, const char* what, const error_code& ec) {
    CheckResult r;
    r.outcome = outcome;
    r.error = std::string(what) + ": " + ec.message();
    finish(std::move(r));
  }

  void finish(CheckResult r) {
    if (finished_) return;
    finished_ = true;
    r.latency = std::chrono::steady_clock::now() - started_;
    abort();  // the answer is read: no keep-alive, no TLS close_notify wait
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(r));
  }

  std::shared_ptr<ssl::context> tls_;
  std::vector<tcp::endpoint> endpoints_;
  tcp::resolver resolver_;
  typename Kind::stream_type stream_;
  net::steady_timer timer_;
  ProbeTarget target_;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point started_{};
  CheckDone done_;
  http::request<http::empty_body> request_;
  boost::beast::flat_buffer buffer_{header_limit};
  http::response_parser<http::empty_body> parser_;
  const char* stage_ = "resolve";  // what the deadline interrupts
  bool finished_ = false;
};

template <class Kind>
std::shared_ptr<HealthCheck> make_and_start(const net::any_io_executor& ex,
                                            std::shared_ptr<ssl::context> tls,
                                            const ProbeTarget& target,
                                            std::vector<tcp::endpoint> endpoints,
                                            std::chrono::steady_clock::time_point deadline,
                                            const std::string& user_agent, CheckDone done) {
  auto check = std::make_shared<Check<Kind>>(ex, std::move(tls), target, std::move(endpoints),
                                             deadline, user_agent, std::move(done));
  check->start();
  return check;
}

}  // namespace

std::shared_ptr<HealthCheck> start_check(net::any_io_executor executor,
                                         std::shared_ptr<ssl::context> tls,
                                         const ProbeTarget& target,
                                         std::vector<tcp::endpoint> endpoints,
                                         std::chrono::steady_clock::time_point deadline,
                                         const std::string& user_agent, CheckDone done) {
  if (target.tls) {
    return make_and_start<Tls>(executor, std::move(tls), target, std::move(endpoints), deadline,
                               user_agent, std::move(done));
  }
  return make_and_start<Plain>(executor, std::move(tls), target, std::move(endpoints), deadline,
                               user_agent, std::move(done));
}

}  // namespace irra::failover::detail
