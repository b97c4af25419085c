// A live-update connection of one simulated user: GET /api/v1/stream (Server-Sent Events)
// held open, its events counted. When the stream ends while the run goes on, that is a
// drop; it reconnects after 3 s as a browser's EventSource does (the server's `retry`).
//
// Thread rule: used only from the thread running its io_context; the counters it updates
// belong to that thread too.
#pragma once

#include <array>
#include <map>
#include <string>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>

#include "channel.hpp"

namespace irra::capacity {

struct StreamCounters {
  std::uint64_t open = 0;     // streams answering 200 now
  std::uint64_t opened = 0;   // 200 answers so far (first opens and reopens)
  std::uint64_t dropped = 0;  // streams that ended while the run went on
  std::uint64_t failed = 0;   // attempts that never got a 200 (connect, handshake, status)
  std::uint64_t events = 0;   // "event:" lines received
  std::uint64_t bytes = 0;
  std::map<std::string, std::uint64_t> drop_reasons;  // how dropped streams ended
};

class SseClient : public std::enable_shared_from_this<SseClient> {
 public:
  SseClient(net::io_context& ioc, net::ssl::context& tls, tcp::endpoint server,
            net::ip::address source, std::string cookie, StreamCounters& counters);

  void start();
  void close();
  bool is_open() const { return open_; }

 private:
  void on_connect(beast::error_code ec);
  void on_handshake(beast::error_code ec);
  void on_write(beast::error_code ec);
  void on_header(beast::error_code ec);
  void read_more();
  void on_body(beast::error_code ec);
  void fail(beast::error_code ec);

  net::io_context& ioc_;
  net::ssl::context& tls_;
  tcp::endpoint server_;
  net::ip::address source_;
  std::string cookie_;
  StreamCounters& counters_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> request_;
  std::optional<http::response_parser<http::buffer_body>> parser_;
  std::array<char, 512> chunk_{};
  std::size_t matched_ = 0;  // characters of "event:" matched across reads
  net::steady_timer retry_;
  bool open_ = false;
  bool closed_ = false;
};

}  // namespace irra::capacity
