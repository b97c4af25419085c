#include "sse_client.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace irra::capacity {

SseClient::SseClient(net::io_context& ioc, net::ssl::context& tls, tcp::endpoint server,
                     net::ip::address source, std::string cookie, StreamCounters& counters)
    : ioc_(ioc),
      tls_(tls),
      server_(server),
      source_(source),
      cookie_(std::move(cookie)),
      counters_(counters),
      retry_(ioc) {}

void SseClient::start() {
  if (closed_) return;
  stream_.emplace(ioc_, tls_);
  buffer_.clear();
  matched_ = 0;
  beast::error_code ec;
  open_bound(beast::get_lowest_layer(*stream_).socket(), source_, ec);
  if (ec) return fail(ec);
  beast::get_lowest_layer(*stream_).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(*stream_).async_connect(
      server_, [self = shared_from_this()](beast::error_code e) { self->on_connect(e); });
}

void SseClient::close() {
  closed_ = true;
  retry_.cancel();
  if (stream_) {
    beast::error_code ignored;
    beast::get_lowest_layer(*stream_).socket().close(ignored);
  }
}

void SseClient::on_connect(beast::error_code ec) {
  if (ec) return fail(ec);
  stream_->async_handshake(net::ssl::stream_base::client,
                           [self = shared_from_this()](beast::error_code e) { self->on_handshake(e); });
}

void SseClient::on_handshake(beast::error_code ec) {
  if (ec) return fail(ec);
  request_ = {http::verb::get, "/api/v1/stream", 11};
  request_.set(http::field::host, server_.address().to_string());
  request_.set(http::field::accept, "text/event-stream");
  request_.set(http::field::cookie, cookie_);
  request_.set(http::field::user_agent, "irra-capacity");
  http::async_write(*stream_, request_,
                    [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_write(e); });
}

void SseClient::on_write(beast::error_code ec) {
  if (ec) return fail(ec);
  parser_.emplace();
  parser_->body_limit(boost::none);
  http::async_read_header(*stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_header(e); });
}

void SseClient::on_header(beast::error_code ec) {
  if (ec) return fail(ec);
  if (parser_->get().result_int() != 200) return fail(http::error::bad_status);
  // The stream stays quiet for long stretches (a keep-alive comment every 20 s).
  beast::get_lowest_layer(*stream_).expires_never();
  open_ = true;
  ++counters_.open;
  ++counters_.opened;
  read_more();
}

void SseClient::read_more() {
  auto& body = parser_->get().body();
  body.data = chunk_.data();
  body.size = chunk_.size();
  http::async_read(*stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_body(e); });
}

void SseClient::on_body(beast::error_code ec) {
  if (ec && ec != http::error::need_buffer) return fail(ec);
  const std::size_t n = chunk_.size() - parser_->get().body().size;
  counters_.bytes += n;
  static constexpr std::string_view mark = "event:";
  for (std::size_t i = 0; i < n; ++i) {
    matched_ = chunk_[i] == mark[matched_] ? matched_ + 1 : (chunk_[i] == mark[0] ? 1 : 0);
    if (matched_ == mark.size()) {
      ++counters_.events;
      matched_ = 0;
    }
  }
  if (parser_->is_done()) return fail(http::error::end_of_stream);  // the server ended it
  read_more();
}

void SseClient::fail(beast::error_code ec) {
  if (stream_) {
    beast::error_code ignored;
    beast::get_lowest_layer(*stream_).socket().close(ignored);
  }
  if (closed_) {
    if (open_) --counters_.open;
    open_ = false;
    return;
  }
  if (open_) {
    --counters_.open;
    ++counters_.dropped;
    ++counters_.drop_reasons[ec.message()];
  } else {
    ++counters_.failed;
  }
  open_ = false;
  retry_.expires_after(std::chrono::seconds(3));
  retry_.async_wait([self = shared_from_this()](beast::error_code e) {
    if (!e) self->start();
  });
}

}  // namespace irra::capacity
