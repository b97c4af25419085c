#include "channel.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace irra::capacity {
namespace {

constexpr auto connect_timeout = std::chrono::seconds(10);
constexpr auto request_timeout = std::chrono::seconds(15);

std::string step_of(const char* step, beast::error_code ec) {
  if (ec == beast::error::timeout) return "timeout";
  if (step[0] == 'c' || step[0] == 'h') return std::string(step) + " (" + ec.message() + ")";
  return step;
}

}  // namespace

Channel::Channel(net::io_context& ioc, net::ssl::context& tls, tcp::endpoint server,
                 net::ip::address source)
    : ioc_(ioc), tls_(tls), server_(server), source_(source), pause_(ioc) {}

void Channel::submit(Call call) {
  queue_.push_back(std::move(call));
  next();
}

void Channel::close() {
  closed_ = true;
  pause_.cancel();
  if (stream_) {
    beast::error_code ignored;
    beast::get_lowest_layer(*stream_).socket().close(ignored);
  }
}

void Channel::next() {
  if (busy_ || queue_.empty() || closed_) return;
  if (state_ == State::closed) return connect();
  if (state_ != State::open) return;
  current_.emplace(std::move(queue_.front()));
  queue_.pop_front();
  busy_ = true;
  retried_ = false;
  send();
}

void open_bound(tcp::socket& socket, const boost::asio::ip::address& source, beast::error_code& ec) {
  socket.open(source.is_v4() ? tcp::v4() : tcp::v6(), ec);
  if (ec) return;
  const int one = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  socket.bind(tcp::endpoint(source, 0), ec);
}

void Channel::connect() {
  state_ = State::connecting;
  stream_.emplace(ioc_, tls_);
  buffer_.clear();
  beast::error_code ec;
  open_bound(beast::get_lowest_layer(*stream_).socket(), source_, ec);
  if (ec) return fail("connect", ec);
  beast::get_lowest_layer(*stream_).expires_after(connect_timeout);
  beast::get_lowest_layer(*stream_).async_connect(
      server_, [self = shared_from_this()](beast::error_code e) { self->on_connect(e); });
}

void Channel::on_connect(beast::error_code ec) {
  if (ec) return fail("connect", ec);
  stream_->async_handshake(net::ssl::stream_base::client,
                           [self = shared_from_this()](beast::error_code e) { self->on_handshake(e); });
}

void Channel::on_handshake(beast::error_code ec) {
  if (ec) return fail("handshake", ec);
  beast::get_lowest_layer(*stream_).expires_never();
  state_ = State::open;
  reused_ = false;
  if (busy_) return send();  // a retry waiting for this connection
  next();
}

void Channel::send() {
  beast::get_lowest_layer(*stream_).expires_after(request_timeout);
  http::async_write(*stream_, current_->request,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void Channel::on_write(beast::error_code ec) {
  if (ec) return fail("write", ec);
  parser_.emplace();
  parser_->body_limit(8 * 1024 * 1024);
  http::async_read(*stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_read(e); });
}

void Channel::on_read(beast::error_code ec) {
  if (ec) return fail("read", ec);
  beast::get_lowest_layer(*stream_).expires_never();
  auto& res = parser_->get();
  Answer a;
  a.at = Clock::now();
  a.status = res.result_int();
  a.body = std::move(res.body());
  if (const auto c = res.find(http::field::set_cookie); c != res.end()) a.set_cookie = c->value();
  const bool keep = res.keep_alive();
  parser_.reset();
  auto call = std::move(*current_);
  current_.reset();
  busy_ = false;
  reused_ = true;
  if (!keep) drop();
  call.done(std::move(a));
  next();
}

// Connection-level failure: the request in flight gets the error (or one retry, see the
// header); with nothing in flight the first queued request gets it, so a server that
// refuses connections shows up as failed requests and not as a queue that only grows.
void Channel::fail(const char* step, beast::error_code ec) {
  const bool was_reused = reused_ && state_ == State::open;
  drop();
  if (closed_) return;
  if (busy_ && was_reused && !retried_ && (step[0] == 'w' || step[0] == 'r') &&
      (ec == net::error::eof || ec == net::ssl::error::stream_truncated ||
       ec == net::error::connection_reset || ec == net::error::broken_pipe)) {
    retried_ = true;
    return connect();  // on_handshake sends current_ again
  }
  std::optional<Call> failed;
  if (busy_) {
    failed = std::move(current_);
    current_.reset();
    busy_ = false;
  } else if (!queue_.empty()) {
    failed.emplace(std::move(queue_.front()));
    queue_.pop_front();
  }
  if (failed) {
    Answer a;
    a.at = Clock::now();
    a.error = step_of(step, ec);
    failed->done(std::move(a));
  }
  if (queue_.empty() || closed_) return;
  pause_.expires_after(std::chrono::milliseconds(100));
  pause_.async_wait([self = shared_from_this()](beast::error_code e) {
    if (!e) self->next();
  });
}

void Channel::drop() {
  if (stream_) {
    beast::error_code ignored;
    beast::get_lowest_layer(*stream_).socket().close(ignored);
  }
  state_ = State::closed;
  reused_ = false;
}

}  // namespace irra::capacity
