// One keep-alive HTTPS connection of irra-capacity with a queue of requests. HTTP/1.1 has
// one request in flight per connection, so a request due while another is in flight waits
// in the queue, and that wait is part of its latency (it is measured from the request's
// scheduled time by the caller). A user that behaves like a browser owns one channel; in
// the pooled model the users of one source address share one.
//
// The connection opens on the first request (bound to the channel's source address) and
// reopens after a failure or a `Connection: close`. A request that fails on a reused
// connection before any answer is retried once on a fresh one, as browsers do when a server
// closed an idle keep-alive connection.
//
// Thread rule: used only from the thread running its io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace irra::capacity {

using Clock = std::chrono::steady_clock;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// An answer, or why there is none: error names the step that failed ("connect",
// "handshake", "write", "read", "timeout"; connect and handshake with the system's reason)
// and status is then 0.
// Opens SOCKET bound to the source address SOURCE, the port left to the kernel at connect
// time (IP_BIND_ADDRESS_NO_PORT): many connections per source address.
void open_bound(tcp::socket& socket, const net::ip::address& source, beast::error_code& ec);

struct Answer {
  int status = 0;
  std::string error;
  std::string body;
  std::string set_cookie;
  Clock::time_point at;
};

struct Call {
  http::request<http::string_body> request;
  std::function<void(Answer&&)> done;
};

class Channel : public std::enable_shared_from_this<Channel> {
 public:
  Channel(net::io_context& ioc, net::ssl::context& tls, tcp::endpoint server,
          net::ip::address source);

  void submit(Call call);
  std::size_t waiting() const { return queue_.size() + (busy_ ? 1 : 0); }
  bool open() const { return state_ == State::open; }
  void close();

 private:
  enum class State { closed, connecting, open };

  void next();
  void connect();
  void on_connect(beast::error_code ec);
  void on_handshake(beast::error_code ec);
  void send();
  void on_write(beast::error_code ec);
  void on_read(beast::error_code ec);
  void fail(const char* step, beast::error_code ec);
  void drop();

  net::io_context& ioc_;
  net::ssl::context& tls_;
  tcp::endpoint server_;
  net::ip::address source_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::deque<Call> queue_;
  std::optional<Call> current_;
  net::steady_timer pause_;
  State state_ = State::closed;
  bool busy_ = false;
  bool reused_ = false;   // the current request went out on a connection that had answered
  bool retried_ = false;  // the current request is already on its second connection
  bool closed_ = false;   // close() was called: no more reconnects
};

}  // namespace irra::capacity
