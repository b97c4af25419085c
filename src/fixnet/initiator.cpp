// The initiator's lifecycle: start, connect (resolve, TCP, TLS), drop and reconnect with
// backoff, stop with a graceful Logout; and the session events it counts. Reading,
// writing and timers are in initiator_io.cpp.
#include "irra/fixnet/initiator.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <charconv>
#include <random>

#include "connection.hpp"
#include "irra/config/config.hpp"
#include "irra/fix/parser.hpp"

namespace irra::fixnet {
namespace net = boost::asio;

initiator_options options_from_config(const config::ExchangeConfig& exchange,
                                      const config::FixSessionConfig& session, std::string name) {
  initiator_options o;
  o.name = std::move(name);
  o.host = session.host;
  o.port = session.port;
  o.session.sender_comp_id = session.sender_comp_id;
  o.session.target_comp_id = session.target_comp_id;
  o.session.heart_bt_int = exchange.heartbeat;
  o.reconnect_min = exchange.reconnect_min;
  o.reconnect_max = exchange.reconnect_max;
  o.tls = exchange.tls;
  return o;
}

namespace {

fix::session_time system_time() {
  return {std::chrono::steady_clock::now(),
          std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now())};
}

std::uint64_t seed_of(std::uint64_t configured) {
  if (configured != 0) return configured;
  std::random_device rd;
  return (std::uint64_t{rd()} << 32) ^ rd();
}

std::shared_ptr<net::ssl::context> make_ssl_context(const initiator_options& o) {
  if (o.tls_context) return o.tls_context;
  auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                   net::ssl::context::no_tlsv1_1);
  // Plain TCP uses the stream's next layer only; the context is then never consulted.
  if (o.tls) ctx->set_default_verify_paths();
  return ctx;
}

}  // namespace

std::shared_ptr<Initiator> Initiator::create(net::any_io_executor executor,
                                             initiator_options options, fix::message_store& store,
                                             fix::session_handler& handler) {
  return std::shared_ptr<Initiator>(
      new Initiator(std::move(executor), std::move(options), store, handler));
}

Initiator::Initiator(net::any_io_executor executor, initiator_options options,
                     fix::message_store& store, fix::session_handler& handler)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      handler_(handler),
      session_(options_.session, store, *this),
      ssl_(make_ssl_context(options_)),
      resolver_(executor_),
      timer_(executor_),
      backoff_(options_.reconnect_min, options_.reconnect_max, seed_of(options_.jitter_seed)),
      queue_(options_.max_queued_bytes) {
  if (!options_.clock) options_.clock = system_time;
  if (options_.receive_buffer_bytes < 2 * fix::max_message_size) {
    options_.receive_buffer_bytes = 2 * fix::max_message_size;
  }
}

Initiator::~Initiator() = default;

fix::session_time Initiator::now() const {
  return options_.clock();
}

void Initiator::restore(std::uint64_t next_in_seq, std::uint64_t next_out_seq) {
  session_.restore(next_in_seq, next_out_seq);
  reported_in_ = session_.next_in_seq();
  reported_out_ = session_.next_out_seq();
  next_in_ = reported_in_;
  next_out_ = reported_out_;
}

// Posted, never run inline: stop() may be called from a callback of this initiator.
void Initiator::start() {
  net::post(executor_, [self = shared_from_this()] { self->do_start(); });
}

void Initiator::stop(std::function<void()> done) {
  net::post(executor_, [self = shared_from_this(), done = std::move(done)]() mutable {
    self->do_stop(std::move(done));
  });
}

void Initiator::do_start() {
  if (state_ != state::stopped || stopping_) return;
  spdlog::info("fix {}: starting, exchange {}:{}{}", options_.name, options_.host, options_.port,
               options_.tls ? " (TLS)" : "");
  connect();
}

void Initiator::do_stop(std::function<void()> done) {
  if (state_ == state::stopped) {
    if (done) done();
    return;
  }
  if (stopping_) {  // a stop is under way: run both completions at its end
    auto first = std::move(stop_done_);
    stop_done_ = [first = std::move(first), done = std::move(done)] {
      if (first) first();
      if (done) done();
    };
    return;
  }
  stopping_ = true;
  stop_done_ = std::move(done);
  if (state_ != state::connected) return finish_stop();
  spdlog::info("fix {}: stopping, logging out", options_.name);
  deadline_ = now().steady + options_.stop_timeout;
  session_.logout("IRRA shutting down", now());
  pump();
}

void Initiator::finish_stop() {
  if (conn_) return drop("stopped");  // drop() comes back here
  state_ = state::stopped;
  stopping_ = false;
  ++timer_gen_;
  armed_ = time_point::max();
  timer_.cancel();
  resolver_.cancel();
  publish_progress();
  spdlog::info("fix {}: stopped", options_.name);
  auto done = std::move(stop_done_);
  stop_done_ = nullptr;
  if (done) done();
}

void Initiator::connect() {
  state_ = state::connecting;
  logged_on_ = false;
  closing_ = false;
  conn_ = std::make_shared<connection>(executor_, *ssl_, options_.receive_buffer_bytes);
  deadline_ = now().steady + options_.connect_timeout;
  publish_progress();
  arm_timer();
  resolver_.async_resolve(
      options_.host, std::to_string(options_.port),
      [self = shared_from_this(), c = conn_](const boost::system::error_code& ec,
                                             const net::ip::tcp::resolver::results_type& r) {
        self->on_resolved(c, ec, r);
      });
}

void Initiator::on_resolved(const std::shared_ptr<connection>& c,
                            const boost::system::error_code& ec,
                            const net::ip::tcp::resolver::results_type& results) {
  if (c != conn_) return;
  if (ec) return drop("resolve " + options_.host + ": " + ec.message());
  net::async_connect(c->stream.next_layer(), results,
                     [self = shared_from_this(), c](const boost::system::error_code& e,
                                                    const net::ip::tcp::endpoint&) {
                       self->on_tcp_connected(c, e);
                     });
}

void Initiator::on_tcp_connected(const std::shared_ptr<connection>& c,
                                 const boost::system::error_code& ec) {
  if (c != conn_) return;
  if (ec) return drop("connect: " + ec.message());
  boost::system::error_code ignored;
  c->stream.next_layer().set_option(net::ip::tcp::no_delay(true), ignored);
  if (!options_.tls) return on_ready(c);

  // SNI only for names (RFC 6066 forbids addresses); the certificate must match either.
  boost::system::error_code addr_ec;
  net::ip::make_address(options_.host, addr_ec);
  if (addr_ec && !SSL_set_tlsext_host_name(c->stream.native_handle(), options_.host.c_str())) {
    return drop("TLS: cannot set SNI host name");
  }
  c->stream.set_verify_mode(net::ssl::verify_peer);
  c->stream.set_verify_callback(net::ssl::host_name_verification(options_.host));
  c->stream.async_handshake(net::ssl::stream_base::client,
                            [self = shared_from_this(), c](const boost::system::error_code& e) {
                              if (c != self->conn_) return;
                              if (e) return self->drop("TLS handshake: " + e.message());
                              self->on_ready(c);
                            });
}

void Initiator::on_ready(const std::shared_ptr<connection>& c) {
  state_ = state::connected;
  deadline_ = time_point::max();  // until stop() or the session's disconnect sets one
  connects_.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("fix {}: connected to {}:{}, sending Logon{}", options_.name, options_.host,
               options_.port, reset_pending_ ? " with ResetSeqNumFlag=Y" : "");
  if (next_out_hint_ > session_.next_out_seq() && !reset_pending_) {
    spdlog::warn("fix {}: the exchange expects MsgSeqNum {}, not {}: continuing from {}",
                 options_.name, next_out_hint_, session_.next_out_seq(), next_out_hint_);
    session_.restore(session_.next_in_seq(), next_out_hint_);
  }
  next_out_hint_ = 0;
  session_.on_connected(now(), reset_pending_);
  do_read(c);
  pump();
}

void Initiator::drop(std::string_view reason) {
  if (!conn_) return;
  const auto c = std::move(conn_);
  conn_.reset();
  boost::system::error_code ignored;
  c->stream.next_layer().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  c->stream.next_layer().close(ignored);
  resolver_.cancel();
  queue_.clear();
  closing_ = false;
  const bool was_connected = state_ == state::connected;
  const bool was_stable = logged_on_ && now().steady - logged_on_at_ >= options_.reconnect_max;
  if (was_connected) {
    session_.on_disconnected();
    disconnects_.fetch_add(1, std::memory_order_relaxed);
  } else {
    connect_failures_.fetch_add(1, std::memory_order_relaxed);
  }
  logged_on_ = false;
  set_error(reason);
  if (stopping_) {
    spdlog::info("fix {}: disconnected ({})", options_.name, reason);
    state_ = state::waiting;
    return finish_stop();
  }
  spdlog::warn("fix {}: {} ({})", options_.name,
               was_connected ? "disconnected" : "connection attempt failed", reason);
  schedule_reconnect(was_stable);
}

void Initiator::schedule_reconnect(bool was_stable) {
  if (was_stable) backoff_.reset();
  const auto delay = backoff_.next();
  state_ = state::waiting;
  deadline_ = now().steady + delay;
  spdlog::info("fix {}: reconnecting in {} ms", options_.name, delay.count());
  publish_progress();
  arm_timer();
}

bool Initiator::can_send() const {
  return state_ == state::connected && !closing_ && !stopping_ &&
         session_.phase() == fix::session_phase::active && !session_.disconnect_requested();
}

void Initiator::set_error(std::string_view reason) {
  std::lock_guard lock(error_mutex_);
  last_error_ = reason;
}

// ---- fix::session_handler: count, log, forward ----

void Initiator::on_application(const fix::message& m, std::uint64_t seq) {
  app_messages_in_.fetch_add(1, std::memory_order_relaxed);
  handler_.on_application(m, seq);
}

void Initiator::on_logon() {
  logons_.fetch_add(1, std::memory_order_relaxed);
  logged_on_ = true;
  logged_on_at_ = now().steady;
  reset_pending_ = false;
  spdlog::info("fix {}: logged on", options_.name);
  handler_.on_logon();
}

void Initiator::on_logout(std::string_view text) {
  spdlog::info("fix {}: Logout received{}{}", options_.name, text.empty() ? "" : ": ", text);
  constexpr std::string_view too_low = "MsgSeqNum too low, expecting ";
  const auto at = text.find(too_low);
  if (session_.phase() == fix::session_phase::logon_sent && at != std::string_view::npos) {
    const std::string_view digits = text.substr(at + too_low.size());
    std::uint64_t expected = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), expected);
    if (ec == std::errc{} && end != digits.data() && expected > session_.next_out_seq() &&
        expected - session_.next_out_seq() < 1'000'000) {
      next_out_hint_ = expected;
    }
  }
  handler_.on_logout(text);
}

void Initiator::on_event(fix::session_event e, std::string_view detail) {
  const auto i = static_cast<std::size_t>(e);
  if (i < std::size(events_)) events_[i].fetch_add(1, std::memory_order_relaxed);
  switch (e) {
    case fix::session_event::test_request_sent:
    case fix::session_event::duplicate_ignored:
      spdlog::debug("fix {}: {} {}", options_.name, fix::to_string(e), detail);
      break;
    default:
      spdlog::info("fix {}: {} {}", options_.name, fix::to_string(e), detail);
      break;
  }
  handler_.on_event(e, detail);
}

initiator_status Initiator::status() const {
  initiator_status s;
  s.name = options_.name;
  s.phase = phase_.load();
  constexpr auto r = std::memory_order_relaxed;
  s.connects = connects_.load(r);
  s.connect_failures = connect_failures_.load(r);
  s.logons = logons_.load(r);
  s.disconnects = disconnects_.load(r);
  {
    std::lock_guard lock(error_mutex_);
    s.last_error = last_error_;
  }
  s.bytes_in = bytes_in_.load(r);
  s.bytes_out = bytes_out_.load(r);
  s.messages_in = messages_in_.load(r);
  s.messages_out = messages_out_.load(r);
  s.app_messages_in = app_messages_in_.load(r);
  s.app_messages_out = app_messages_out_.load(r);
  s.next_in_seq = next_in_.load(r);
  s.next_out_seq = next_out_.load(r);
  s.queued_bytes = queued_bytes_.load(r);
  using ev = fix::session_event;
  const auto count = [&](ev e) { return events_[static_cast<std::size_t>(e)].load(r); };
  s.sequence_gaps = count(ev::sequence_gap);
  s.resend_requests_sent = count(ev::resend_request_sent);
  s.resend_requests_answered = count(ev::resend_request_answered);
  s.garbled = count(ev::garbled_message);
  s.duplicates_ignored = count(ev::duplicate_ignored);
  s.rejects_sent = count(ev::reject_sent);
  s.rejects_received = count(ev::reject_received);
  s.sequence_resets = count(ev::sequence_reset);
  s.test_requests_sent = count(ev::test_request_sent);
  return s;
}

}  // namespace irra::fixnet
