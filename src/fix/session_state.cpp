// Lifecycle and timers of the initiator session; inbound handling is in
// session_inbound.cpp, what it sends in session_outbound.cpp.
#include "irra/fix/session_state.hpp"

#include "irra/fix/parser.hpp"

namespace irra::fix {

std::string_view to_string(session_event e) noexcept {
  switch (e) {
    case session_event::garbled_message:
      return "garbled message";
    case session_event::sequence_gap:
      return "sequence gap";
    case session_event::resend_request_sent:
      return "resend request sent";
    case session_event::resend_request_answered:
      return "resend request answered";
    case session_event::duplicate_ignored:
      return "duplicate ignored";
    case session_event::reject_sent:
      return "reject sent";
    case session_event::reject_received:
      return "reject received";
    case session_event::sequence_reset:
      return "sequence reset";
    case session_event::test_request_sent:
      return "test request sent";
  }
  return "unknown";
}

session_state::session_state(session_config config, message_store& store, session_handler& handler)
    : config_(std::move(config)),
      store_(store),
      handler_(handler),
      heartbeat_(config_.heart_bt_int, config_.test_request_grace) {}

void session_state::restore(std::uint64_t next_in_seq, std::uint64_t next_out_seq) {
  next_in_ = next_in_seq == 0 ? 1 : next_in_seq;
  next_out_ = next_out_seq == 0 ? 1 : next_out_seq;
}

void session_state::on_connected(const session_time& now, bool new_day) {
  out_.clear();
  queued_.clear();
  resend_until_ = 0;
  disconnect_requested_ = false;
  disconnect_reason_.clear();
  if (new_day) {
    next_in_ = next_out_ = 1;
    store_.reset();
  }
  reset_sent_ = new_day;
  phase_ = session_phase::logon_sent;
  phase_started_ = now.steady;
  heartbeat_.start(now.steady);
  send_logon(new_day, now);
}

void session_state::on_disconnected() {
  phase_ = session_phase::disconnected;
  out_.clear();  // unsent bytes are gone with the socket; a ResendRequest recovers them
  queued_.clear();
  resend_until_ = 0;
}

std::size_t session_state::on_bytes(std::string_view received, const session_time& now) {
  std::size_t used = 0;
  while (!disconnect_requested_ && phase_ != session_phase::disconnected) {
    const frame_result f = frame(received.substr(used));
    if (f.status == frame_status::need_more) break;
    used += f.consumed;
    if (f.status == frame_status::garbage) {
      // Garbled: ignored without a Reject and without consuming a sequence number.
      handler_.on_event(session_event::garbled_message, to_string(f.reason));
      continue;
    }
    handle(f.message, now);
  }
  return used;
}

void session_state::on_timer(const session_time& now) {
  if (disconnect_requested_) return;
  switch (phase_) {
    case session_phase::disconnected:
      return;
    case session_phase::logon_sent:
      if (now.steady - phase_started_ >= config_.logon_timeout) disconnect("Logon timeout");
      return;
    case session_phase::logout_sent:
      if (now.steady - phase_started_ >= config_.logout_timeout) disconnect("Logout timeout");
      return;
    case session_phase::active:
      check_resend_progress(now);
      switch (heartbeat_.due(now.steady)) {
        case heartbeat_monitor::action::none:
          return;
        case heartbeat_monitor::action::send_heartbeat:
          send_heartbeat({}, now);
          return;
        case heartbeat_monitor::action::send_test_request:
          send_test_request(now);
          return;
        case heartbeat_monitor::action::disconnect:
          disconnect("no response to TestRequest");
          return;
      }
  }
}

void session_state::logout(std::string_view text, const session_time& now) {
  if (phase_ == session_phase::active) {
    send_logout(text, now);
    phase_ = session_phase::logout_sent;
    phase_started_ = now.steady;
  } else if (phase_ == session_phase::logon_sent) {
    disconnect("logout before Logon completed");
  }
}

std::string session_state::take_output() {
  std::string bytes;
  bytes.swap(out_);
  return bytes;
}

std::chrono::steady_clock::time_point session_state::next_deadline() const {
  switch (phase_) {
    case session_phase::logon_sent:
      return phase_started_ + config_.logon_timeout;
    case session_phase::logout_sent:
      return phase_started_ + config_.logout_timeout;
    case session_phase::active:
      return heartbeat_.next_deadline();
    case session_phase::disconnected:
      break;
  }
  return std::chrono::steady_clock::time_point::max();
}

void session_state::disconnect(std::string_view reason) {
  if (disconnect_requested_) return;
  disconnect_requested_ = true;
  disconnect_reason_ = reason;
}

void session_state::logout_and_disconnect(std::string_view text, const session_time& now) {
  send_logout(text, now);
  disconnect(text);
}

}  // namespace irra::fix
