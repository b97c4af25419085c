// The initiator's byte pumps and its one timer: reads feed the session, the session's
// output goes through the bounded queue (and the durability barrier) to a single
// outstanding write, and the timer serves both the transport's deadlines (connect,
// reconnect, close, stop) and the session's (heartbeat, TestRequest, logon/logout).
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "connection.hpp"
#include "irra/fix/parser.hpp"
#include "irra/fixnet/initiator.hpp"

namespace irra::fixnet {
namespace net = boost::asio;

namespace {

// A write takes whole queued runs until it holds at least this much.
constexpr std::size_t max_write_bytes = 256 * 1024;
// A deadline that fired without moving is retried after this, never in a busy loop.
constexpr std::chrono::milliseconds min_retry{10};

// Complete messages in `bytes`, counted by their trailers ("<SOH>10=").
std::uint64_t count_trailers(std::string_view bytes) {
  std::uint64_t n = 0;
  for (std::size_t pos = bytes.find("\x01"
                                    "10=");
       pos != std::string_view::npos; pos = bytes.find("\x01"
                                                       "10=",
                                                       pos + 4)) {
    ++n;
  }
  return n;
}

}  // namespace

void Initiator::do_read(const std::shared_ptr<connection>& c) {
  if (c->rx_begin == c->rx_end) {
    c->rx_begin = c->rx_end = 0;
  } else if (c->rx.size() - c->rx_end < c->rx.size() / 2) {
    // What is left is part of one message (< fix::max_message_size, or the framer would
    // have called it garbage): move it to the front so a whole message always fits.
    std::memmove(c->rx.data(), c->rx.data() + c->rx_begin, c->rx_end - c->rx_begin);
    c->rx_end -= c->rx_begin;
    c->rx_begin = 0;
  }
  const std::size_t free = c->rx.size() - c->rx_end;
  if (free == 0) return drop("receive buffer full");
  c->with_stream(options_.tls, [&](auto& s) {
    s.async_read_some(net::buffer(c->rx.data() + c->rx_end, free),
                      [self = shared_from_this(), c](const boost::system::error_code& ec,
                                                     std::size_t n) { self->on_read(c, ec, n); });
  });
}

void Initiator::on_read(const std::shared_ptr<connection>& c, const boost::system::error_code& ec,
                        std::size_t n) {
  if (c != conn_) return;
  if (ec) {
    return drop(ec == net::error::eof ? std::string("the exchange closed the connection")
                                      : "read: " + ec.message());
  }
  bytes_in_.fetch_add(n, std::memory_order_relaxed);
  c->rx_end += n;
  const std::string_view data(c->rx.data() + c->rx_begin, c->rx_end - c->rx_begin);
  const std::size_t used = session_.on_bytes(data, now());
  messages_in_.fetch_add(count_trailers(data.substr(0, used)), std::memory_order_relaxed);
  c->rx_begin += used;
  pump();
  // Once the session wants to disconnect, nothing more it receives matters.
  if (c == conn_ && !closing_) do_read(c);
}

void Initiator::schedule_pump() {
  // Many sends in one reactor turn become one write.
  if (pump_posted_) return;
  pump_posted_ = true;
  net::post(executor_, [self = shared_from_this()] {
    self->pump_posted_ = false;
    self->pump();
  });
}

void Initiator::durability_advanced() {
  if (state_ == state::connected) pump();
}

void Initiator::pump() {
  if (state_ != state::connected || !conn_) return publish_progress();
  const std::string out = session_.take_output();
  if (!out.empty() && !enqueue(out)) {
    return drop("output queue full (" + std::to_string(queue_.size_bytes()) +
                " bytes): the exchange is not reading or durability has stalled");
  }
  if (session_.disconnect_requested() && !closing_) {
    closing_ = true;
    deadline_ = std::min(deadline_, now().steady + options_.close_timeout);
  }
  do_write();
  if (closing_ && !conn_->writing && (queue_.empty() || queue_.front_held(durable()))) {
    // The session's last bytes (a Logout, a Reject) are written: close. Bytes held by
    // the barrier are dropped; they are in the store for the next ResendRequest.
    return drop(std::string(session_.disconnect_reason()));
  }
  publish_progress();
  arm_timer();
}

bool Initiator::enqueue(std::string_view bytes) {
  if (!options_.durable_out_seq) {
    messages_out_.fetch_add(count_trailers(bytes), std::memory_order_relaxed);
    return queue_.push(bytes, 0);
  }
  // The barrier needs each message's type and MsgSeqNum.
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const fix::frame_result f = fix::frame(bytes.substr(pos));
    if (f.status != fix::frame_status::complete) {
      // Our own writer frames everything it produces; never hold bytes we cannot read.
      spdlog::error("fix {}: unframeable outbound bytes ({} bytes)", options_.name,
                    bytes.size() - pos);
      return queue_.push(bytes.substr(pos), 0);
    }
    std::uint64_t hold = 0;
    scan_.parse(f.message);
    if (!fix::is_admin_msg_type(scan_.msg_type())) hold = scan_.seq_num();
    if (!queue_.push(f.message, hold)) return false;
    messages_out_.fetch_add(1, std::memory_order_relaxed);
    pos += f.consumed;
  }
  return true;
}

std::uint64_t Initiator::durable() const {
  return options_.durable_out_seq ? options_.durable_out_seq()
                                  : std::numeric_limits<std::uint64_t>::max();
}

void Initiator::do_write() {
  if (!conn_ || conn_->writing) return;
  const auto& c = conn_;
  c->tx.clear();
  queue_.take_ready(durable(), c->tx, max_write_bytes);
  if (c->tx.empty()) return;
  c->writing = true;
  c->with_stream(options_.tls, [&](auto& s) {
    net::async_write(s, net::buffer(c->tx),
                     [self = shared_from_this(), c](const boost::system::error_code& ec,
                                                    std::size_t n) { self->on_write(c, ec, n); });
  });
}

void Initiator::on_write(const std::shared_ptr<connection>& c, const boost::system::error_code& ec,
                         std::size_t n) {
  if (c != conn_) return;
  c->writing = false;
  if (ec) return drop("write: " + ec.message());
  bytes_out_.fetch_add(n, std::memory_order_relaxed);
  pump();
}

void Initiator::arm_timer() {
  time_point due = time_point::max();
  switch (state_) {
    case state::stopped:
      break;
    case state::waiting:
    case state::connecting:
      due = deadline_;
      break;
    case state::connected:
      // While closing, only the close deadline counts (the session has nothing to do).
      due = closing_ ? deadline_ : std::min(deadline_, session_.next_deadline());
      break;
  }
  // A later deadline keeps the wait already armed: it wakes early, finds nothing to do
  // and re-arms. This spares a cancel and a new wait on every message received.
  if (due == time_point::max() || (armed_ != time_point::max() && due >= armed_)) return;
  armed_ = due;
  const std::uint64_t gen = ++timer_gen_;
  auto wait = std::max(due - now().steady, std::chrono::steady_clock::duration::zero());
  if (due <= fired_) wait = std::max<std::chrono::steady_clock::duration>(wait, min_retry);
  timer_.expires_after(wait);
  timer_.async_wait([self = shared_from_this(), gen](const boost::system::error_code&) {
    if (gen != self->timer_gen_) return;  // re-armed or cancelled since
    self->fired_ = self->armed_;
    self->armed_ = time_point::max();
    self->on_deadline();
  });
}

void Initiator::on_deadline() {
  const fix::session_time t = now();
  switch (state_) {
    case state::stopped:
      return;
    case state::waiting:
      if (t.steady >= deadline_) return connect();
      break;
    case state::connecting:
      if (t.steady >= deadline_) return drop("connect timeout");
      break;
    case state::connected:
      if (t.steady >= deadline_) {
        return drop(stopping_ ? std::string("no Logout reply before the stop deadline")
                              : "could not flush before disconnecting: " +
                                    std::string(session_.disconnect_reason()));
      }
      session_.on_timer(t);
      return pump();
  }
  arm_timer();
}

void Initiator::publish_progress() {
  initiator_phase p = initiator_phase::stopped;
  switch (state_) {
    case state::stopped:
      p = initiator_phase::stopped;
      break;
    case state::waiting:
      p = initiator_phase::waiting;
      break;
    case state::connecting:
      p = initiator_phase::connecting;
      break;
    case state::connected:
      switch (session_.phase()) {
        case fix::session_phase::disconnected:
          p = initiator_phase::connecting;
          break;
        case fix::session_phase::logon_sent:
          p = initiator_phase::logon_sent;
          break;
        case fix::session_phase::active:
          p = initiator_phase::active;
          break;
        case fix::session_phase::logout_sent:
          p = initiator_phase::logout_sent;
          break;
      }
      break;
  }
  queued_bytes_.store(queue_.size_bytes(), std::memory_order_relaxed);
  const std::uint64_t in = session_.next_in_seq();
  const std::uint64_t out = session_.next_out_seq();
  next_in_.store(in, std::memory_order_relaxed);
  next_out_.store(out, std::memory_order_relaxed);
  if (p != reported_phase_) {
    reported_phase_ = p;
    phase_.store(p);
    if (options_.on_phase) options_.on_phase(p);
  }
  if (in != reported_in_ || out != reported_out_) {
    reported_in_ = in;
    reported_out_ = out;
    if (options_.on_sequence_numbers) options_.on_sequence_numbers(in, out);
  }
}

}  // namespace irra::fixnet
