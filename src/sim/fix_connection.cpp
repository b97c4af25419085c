#include "fix_connection.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/write.hpp>

#include "exchange.hpp"
#include "irra/fix/parser.hpp"
#include "irra/fix/tags.hpp"
#include "irra/fix/writer.hpp"
#include "sim_clock.hpp"

namespace irra::sim {
namespace net = boost::asio;
using boost::system::error_code;

namespace {
constexpr auto logon_timeout = std::chrono::seconds{10};
// Unprocessed input beyond this (a peer that floods without framing) closes the line.
constexpr std::size_t max_pending_input = 4 * fix::max_message_size;
}  // namespace

fix_connection::fix_connection(net::ip::tcp::socket socket, exchange& ex)
    : socket_(std::move(socket)),
      logon_timer_(socket_.get_executor()),
      half_open_timer_(socket_.get_executor()),
      ex_(ex) {}

void fix_connection::start() {
  error_code ignored;
  socket_.set_option(net::ip::tcp::no_delay(true), ignored);
  logon_timer_.expires_after(logon_timeout);
  logon_timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (!ec && self->session_ == nullptr) self->lost("no Logon in time");
  });
  do_read();
}

void fix_connection::stop() {
  lost("simulator stopping");
}

void fix_connection::do_read() {
  if (reading_ || closed_ || paused_) return;
  reading_ = true;
  socket_.async_read_some(
      net::buffer(read_buf_),
      [self = shared_from_this()](const error_code& ec, std::size_t n) { self->on_read(ec, n); });
}

void fix_connection::on_read(const error_code& ec, std::size_t n) {
  reading_ = false;
  if (closed_) return;
  if (ec) return lost(ec == net::error::eof ? "connection closed by peer" : ec.message());
  in_.append(read_buf_.data(), n);
  process();
  if (in_.size() > max_pending_input) return lost("too much unframed input");
  do_read();
}

void fix_connection::process() {
  if (paused_ || closed_ || closing_) return;
  if (session_ == nullptr) bind_session();
  if (session_ == nullptr || closed_) return;
  if (!attached()) return lost("session closed");
  const std::size_t used = session_->on_bytes(in_, clock_now());
  in_.erase(0, used);
}

void fix_connection::bind_session() {
  const fix::frame_result f = fix::frame(in_);
  if (f.status == fix::frame_status::need_more) return;
  if (f.status == fix::frame_status::garbage) return lost("garbled first message");
  fix::message logon;
  if (!logon.parse(f.message) || logon.msg_type() != fix::msg_type::logon) {
    return lost("first message is not a Logon");
  }
  const std::string_view sender = logon.get(fix::tag::sender_comp_id).value_or("");
  const std::string_view target = logon.get(fix::tag::target_comp_id).value_or("");
  acceptor_session* s = ex_.find_session(target);
  if (s == nullptr || sender.empty()) {
    spdlog::warn("Logon refused: unknown TargetCompID '{}'", target);
    return refuse(sender, target, "unknown TargetCompID");
  }
  logon_timer_.cancel();
  session_ = s;
  s->attach(shared_from_this(), std::string(sender), clock_now());
}

void fix_connection::refuse(std::string_view sender, std::string_view target,
                            std::string_view text) {
  std::string out;
  fix::writer w(out);
  const auto now = clock_now();
  w.begin(fix::msg_type::logout, target.empty() ? "?" : target, sender.empty() ? "?" : sender, 1,
          now.utc);
  w.field(fix::tag::text, text);
  if (!w.finish()) out.clear();
  close(std::move(out));
}

void fix_connection::wake() {
  if (closed_ || closing_ || paused_ || write_active_) return;
  do_write();
}

void fix_connection::do_write() {
  if (closing_) {
    if (final_.empty()) return close_socket();
    writing_.swap(final_);
  } else {
    if (!attached()) return;
    writing_ = session_->take_output();
    if (writing_.empty()) return;
  }
  write_active_ = true;
  net::async_write(
      socket_, net::buffer(writing_),
      [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_write(ec); });
}

void fix_connection::on_write(const error_code& ec) {
  write_active_ = false;
  writing_.clear();
  if (closed_) return;
  if (ec) return lost(ec.message());
  if (closing_) return do_write();
  if (paused_) return;
  if (attached()) session_->on_drained(clock_now());
  if (!write_active_) do_write();
}

void fix_connection::close(std::string final_bytes) {
  if (closed_) return;
  closing_ = true;
  final_ += final_bytes;
  if (paused_) return close_socket();
  if (!write_active_) do_write();
}

void fix_connection::half_open(std::chrono::milliseconds d) {
  if (closed_) return;
  paused_ = true;
  half_open_timer_.expires_after(d);
  half_open_timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->closed_) return;
    self->paused_ = false;
    self->process();
    self->do_read();
    if (!self->write_active_) self->do_write();
  });
}

void fix_connection::close_socket() {
  if (closed_) return;
  closed_ = true;
  error_code ignored;
  socket_.shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  logon_timer_.cancel();
  half_open_timer_.cancel();
}

void fix_connection::lost(std::string_view reason) {
  if (closed_) return;
  close_socket();
  if (session_ != nullptr) session_->connection_lost(this, reason);
}

}  // namespace irra::sim
