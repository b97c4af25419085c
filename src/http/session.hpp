// One HTTP/1.1 connection, for a plain or a TLS stream (server-flex style: the derived
// class provides stream(), run() and the TLS-specific close). Reads one request at a
// time with a deadline per phase, hands it to the router, writes the response the
// handler gives (now or later, from any thread) and only then reads the next request:
// the write queue is therefore one response deep.
//
// A handler may instead turn the connection into a stream (start_stream): the head goes
// out with Connection: close, then the StreamChannel's queue, one write at a time, with a
// keep-alive comment when quiet. A read stays pending so that a client's close ends the
// stream at once; the body ends when the connection closes.
//
// Thread rule: every member function runs on the connection's strand, except deliver(),
// start_stream(), shutdown() and force_close(), which post to it. The session keeps itself
// alive through shared_from_this() bound into every completion and into the Responder it
// hands out; the StreamChannel holds it only weakly.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <sstream>

#include "irra/http/request.hpp"
#include "irra/http/responder.hpp"
#include "irra/http/response.hpp"
#include "server_state.hpp"
#include "stream_channel.hpp"

namespace irra::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

template <class Derived>
class Session : public ResponseSink, public SessionControl {
 public:
  void deliver(Response&& response) override {
    auto self = derived().shared_from_this();
    boost::asio::dispatch(executor(), [self, res = std::move(response)]() mutable {
      self->on_response(std::move(res));
    });
  }

  std::shared_ptr<EventStream> start_stream(Response&& head) override {
    if (gone_.load(std::memory_order_acquire)) return nullptr;
    auto ex = executor();
    auto wake = [weak = derived().weak_from_this()] {
      if (auto self = weak.lock()) self->pump_stream();
    };
    auto channel =
        std::make_shared<StreamChannel>(ex, state_->options().stream_backlog_limit, wake);
    boost::asio::dispatch(
        ex, [self = derived().shared_from_this(), channel, h = std::move(head)]() mutable {
          self->on_stream_start(std::move(h), channel);
        });
    return channel;
  }

  void shutdown() override {
    boost::asio::post(executor(), [self = derived().shared_from_this()] {
      // Idle or still handshaking: nothing in flight, close now. A stream ends once what
      // is queued is written. Otherwise the response in flight goes out with
      // Connection: close (see do_write).
      if (self->phase_ == Phase::idle || self->phase_ == Phase::handshake) {
        self->close_now();
      } else if (self->events_) {
        self->events_->close();
      }
    });
  }

  void force_close() override {
    boost::asio::post(executor(), [self = derived().shared_from_this()] { self->close_now(); });
  }

 protected:
  enum class Phase { handshake, idle, header, body, handling, writing, streaming, closing };

  explicit Session(std::shared_ptr<ServerState> state, boost::asio::ip::address remote)
      : state_(std::move(state)),
        remote_(std::move(remote)),
        buffer_(state_->options().header_limit + state_->options().body_limit + 16 * 1024) {
    state_->metrics().connection_opened();
  }

  ~Session() override {
    if (events_) events_->detach();  // the handle may outlive the strand and io_context
    if (stream_counted_) state_->metrics().stream_closed();  // not ended: handlers dropped
    state_->metrics().connection_closed();
    if (registry_id_) state_->remove_session(*registry_id_);
  }

  void register_self() { registry_id_ = state_->add_session(derived().shared_from_this()); }

  // Normal endings are silent; anything else is counted for /metrics.
  void fail(beast::error_code ec, const char* what) {
    if (is_normal_close(ec)) return;
    if (ec == beast::error::timeout && phase_ == Phase::idle) return;
    state_->metrics().connection_error(what, ec);
    spdlog::debug("http: {} from {}: {}", what, remote_.to_string(), ec.message());
  }

  void do_read() {
    if (state_->stopping() || closed_) return derived().do_close();
    request_.reset();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->options().header_limit));
    parser_->body_limit(state_->options().body_limit);
    if (buffer_.size() > 0) return do_read_header();  // pipelined bytes already here
    // Wait for the first byte under the idle deadline; the header deadline starts then,
    // so a client dribbling a header gets header_timeout, not idle_timeout.
    phase_ = Phase::idle;
    beast::get_lowest_layer(derived().stream()).expires_after(state_->idle_timeout());
    derived().stream().async_read_some(
        buffer_.prepare(4096),
        beast::bind_front_handler(&Session::on_first_bytes, derived().shared_from_this()));
  }

  Derived& derived() { return static_cast<Derived&>(*this); }

  std::shared_ptr<ServerState> state_;
  boost::asio::ip::address remote_;
  beast::flat_buffer buffer_;
  Phase phase_ = Phase::handshake;
  bool closed_ = false;

 private:
  auto executor() { return derived().stream().get_executor(); }

  void on_first_bytes(beast::error_code ec, std::size_t bytes) {
    if (ec) {
      fail(ec, "read");
      return close_now();
    }
    buffer_.commit(bytes);
    do_read_header();
  }

  void do_read_header() {
    phase_ = Phase::header;
    started_ = std::chrono::steady_clock::now();
    beast::get_lowest_layer(derived().stream()).expires_after(state_->options().header_timeout);
    bhttp::async_read_header(
        derived().stream(), buffer_, *parser_,
        beast::bind_front_handler(&Session::on_header, derived().shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec, "read header");
    if (parser_->is_done()) return on_request();
    const auto expect = parser_->get()[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      phase_ = Phase::writing;
      continue_.emplace(bhttp::status::continue_, 11);
      beast::get_lowest_layer(derived().stream()).expires_after(state_->options().write_timeout);
      return bhttp::async_write(
          derived().stream(), *continue_,
          beast::bind_front_handler(&Session::on_continue, derived().shared_from_this()));
    }
    do_read_body();
  }

  void on_continue(beast::error_code ec, std::size_t) {
    continue_.reset();
    if (ec) {
      fail(ec, "write");
      return close_now();
    }
    do_read_body();
  }

  void do_read_body() {
    phase_ = Phase::body;
    beast::get_lowest_layer(derived().stream()).expires_after(state_->options().body_timeout);
    bhttp::async_read(derived().stream(), buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_body, derived().shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec, "read body");
    on_request();
  }

  // Limits and malformed requests get their status and the connection is closed; I/O
  // errors and timeouts just close it.
  void on_read_error(beast::error_code ec, const char* what) {
    if (ec == bhttp::error::header_limit) return reject(Status::request_header_fields_too_large);
    if (ec == bhttp::error::body_limit) return reject(Status::payload_too_large);
    const bool peer_gone = ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message;
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
        !peer_gone) {
      fail(ec, what);
      return reject(Status::bad_request);
    }
    fail(ec, what);
    close_now();
  }

  void reject(Status status) {
    close_after_ = true;
    phase_ = Phase::handling;
    on_response(standard_error(status));
  }

  void on_request() {
    phase_ = Phase::handling;
    request_.emplace(parser_->get(), remote_);
    if (request_->error() != Request::ParseError::none) {
      return on_response(standard_error(Status::bad_request));
    }
    in_dispatch_ = true;
    state_->router().dispatch(*request_, Responder(derived().shared_from_this()));
    in_dispatch_ = false;
    if (response_) do_write();  // the handler answered synchronously
  }

  void on_response(Response&& response) {
    if (phase_ != Phase::handling || response_) return;  // stale or duplicate: ignore
    response_.emplace(std::move(response));
    if (!in_dispatch_) do_write();
  }

  void do_write() {
    if (closed_) return;
    Response& res = *response_;
    const bool head = request_ && request_->method() == bhttp::verb::head;
    const bool keep_alive =
        !close_after_ && !state_->stopping() && request_ && request_->message().keep_alive();
    res.version(11);
    res.keep_alive(keep_alive);
    add_security_headers(res);
    const std::string_view path = request_ ? std::string_view(request_->path()) : "";
    if (path == "/api" || path.starts_with("/api/")) {
      res.set(bhttp::field::cache_control, "no-store");
    }
    if (head && res.body().size() > 0) {
      const auto size = res.body().size();
      res.body().clear();
      res.content_length(size);  // HEAD tells the length it would have sent
    } else if (!res.has_content_length() && !res.chunked() &&
               res.result() != bhttp::status::not_modified &&
               res.result() != bhttp::status::no_content) {
      res.prepare_payload();
    }
    state_->metrics().record_request(request_ ? request_->route() : "invalid",
                                     request_ ? request_->method_string() : "-", res.result_int(),
                                     std::chrono::steady_clock::now() - started_);
    phase_ = Phase::writing;
    beast::get_lowest_layer(derived().stream()).expires_after(state_->options().write_timeout);
    bhttp::async_write(
        derived().stream(), res,
        beast::bind_front_handler(&Session::on_write, derived().shared_from_this(), keep_alive));
  }

  void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    response_.reset();
    if (ec) {
      fail(ec, "write");
      return close_now();
    }
    if (close_after_) return do_drain();
    if (!keep_alive) return derived().do_close();
    do_read();
  }

  // --- Streams -------------------------------------------------------------------------

  void on_stream_start(Response&& head, std::shared_ptr<StreamChannel> channel) {
    if (closed_ || phase_ != Phase::handling || response_ || events_) return channel->end();
    events_ = std::move(channel);
    const bool head_only = request_ && request_->method() == bhttp::verb::head;
    stream_status_ = head.result_int();
    head.version(11);
    head.keep_alive(false);  // the body ends when the connection closes
    add_security_headers(head);
    head.set(bhttp::field::cache_control, "no-store");
    head.erase(bhttp::field::content_length);
    head.erase(bhttp::field::transfer_encoding);
    std::ostringstream os;
    os << head.base();
    out_ = std::move(os).str();
    if (!head_only) out_ += head.body();
    if (head_only || state_->stopping()) events_->close();  // the head, then the end
    // Whatever the client sends from now on is not a request.
    parser_.reset();
    buffer_.consume(buffer_.size());
    phase_ = Phase::writing;
    write_stream();
  }

  void write_stream() {
    stream_writing_ = true;
    // A read is pending while streaming, so this deadline applies to the write alone.
    beast::get_lowest_layer(derived().stream()).expires_after(state_->options().write_timeout);
    boost::asio::async_write(
        derived().stream(), boost::asio::buffer(out_),
        beast::bind_front_handler(&Session::on_stream_write, derived().shared_from_this()));
  }

  void on_stream_write(beast::error_code ec, std::size_t bytes) {
    stream_writing_ = false;
    out_.clear();
    if (ec) {
      fail(ec, "write");
      return close_now();
    }
    if (phase_ == Phase::writing) return on_stream_head_written();
    events_->written(bytes);
    pump_stream();
  }

  void on_stream_head_written() {
    state_->metrics().record_request(request_ ? request_->route() : "invalid",
                                     request_ ? request_->method_string() : "-", stream_status_,
                                     std::chrono::steady_clock::now() - started_);
    request_.reset();
    state_->metrics().stream_opened();
    stream_counted_ = true;
    phase_ = Phase::streaming;
    keepalive_.emplace(executor());
    arm_keepalive();
    read_stream();
    pump_stream();
  }

  // Keeps a read pending without a deadline, only to notice the client's close.
  void read_stream() {
    // Clears the read's deadline; a write in flight keeps its own.
    beast::get_lowest_layer(derived().stream()).expires_never();
    derived().stream().async_read_some(
        buffer_.prepare(4096),
        beast::bind_front_handler(&Session::on_stream_read, derived().shared_from_this()));
  }

  void on_stream_read(beast::error_code ec, std::size_t) {
    if (closed_ || phase_ != Phase::streaming) return;  // ending already
    if (ec) {
      fail(ec, "read");
      return close_now();
    }
    read_stream();  // bytes sent on a stream are dropped
  }

  void arm_keepalive() {
    keepalive_->expires_after(state_->options().stream_keepalive);
    keepalive_->async_wait(
        beast::bind_front_handler(&Session::on_keepalive, derived().shared_from_this()));
  }

  void on_keepalive(beast::error_code ec) {
    if (ec || stream_ended_ || phase_ != Phase::streaming) return;
    if (!stream_writing_) events_->send(": keep-alive\n\n");
    arm_keepalive();
  }

  // Runs when the channel wakes the connection and after every write: aborts on
  // overflow, else writes what is queued, else ends the stream if close was asked.
  void pump_stream() {
    if (!events_ || stream_ended_ || closed_) return;
    if (events_->overflowed()) {
      state_->metrics().connection_error("stream backlog", boost::asio::error::no_buffer_space);
      spdlog::debug("http: stream to {} cut off: backlog above {} bytes", remote_.to_string(),
                    state_->options().stream_backlog_limit);
      return close_now();
    }
    if (phase_ != Phase::streaming || stream_writing_) return;
    auto batch = events_->take();
    if (!batch.bytes.empty()) {
      out_ = std::move(batch.bytes);
      return write_stream();
    }
    if (batch.close_requested) finish_stream();
  }

  // Everything queued is written: close politely (TLS close_notify).
  void finish_stream() {
    end_stream();
    phase_ = Phase::closing;
    beast::error_code ignored;
    beast::get_lowest_layer(derived().stream()).socket().cancel(ignored);  // the pending read
    derived().do_close();
  }

  void end_stream() {
    if (!events_ || stream_ended_) return;
    stream_ended_ = true;
    if (keepalive_) keepalive_->cancel();
    if (stream_counted_) state_->metrics().stream_closed();
    stream_counted_ = false;
    events_->end();
  }

  // After refusing a request whose rest is still arriving, read and discard a little
  // before closing: closing with unread data makes the kernel send RST, which can destroy
  // the error response before the client reads it.
  void do_drain() {
    phase_ = Phase::closing;
    request_.reset();
    parser_.reset();
    buffer_.consume(buffer_.size());
    beast::get_lowest_layer(derived().stream()).expires_after(std::chrono::seconds(1));
    derived().stream().async_read_some(
        buffer_.prepare(4096),
        beast::bind_front_handler(&Session::on_drain, derived().shared_from_this()));
  }

  void on_drain(beast::error_code ec, std::size_t bytes) {
    drained_ += bytes;
    if (ec || drained_ > 256 * 1024) return close_now();
    do_drain();
  }

 protected:
  void close_now() {
    gone_.store(true, std::memory_order_release);
    end_stream();
    if (closed_) return;
    closed_ = true;
    phase_ = Phase::closing;
    beast::error_code ignored;
    beast::get_lowest_layer(derived().stream())
        .socket()
        .shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(derived().stream()).close();
  }

 private:
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<Request> request_;
  std::optional<Response> response_;
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  std::optional<std::uint64_t> registry_id_;
  std::chrono::steady_clock::time_point started_{};
  std::size_t drained_ = 0;
  bool in_dispatch_ = false;
  bool close_after_ = false;
  // Streaming (after start_stream).
  std::shared_ptr<StreamChannel> events_;
  std::optional<boost::asio::steady_timer> keepalive_;
  std::string out_;  // the bytes being written
  unsigned stream_status_ = 200;
  bool stream_writing_ = false;
  bool stream_ended_ = false;
  bool stream_counted_ = false;    // in HttpMetrics' open streams
  std::atomic<bool> gone_{false};  // read by start_stream() on any thread
};

}  // namespace irra::http
