#pragma once
// The FIX 4.4 session layer of an initiator, as a pure state machine with no I/O: the
// transport feeds it received bytes, timer ticks and connection events, each with the
// current time, then writes take_output() to the socket and closes the connection when
// disconnect_requested(). Time is injected, so tests drive it without sleeping.
// Thread rule: one session_state belongs to one strand; nothing in it is synchronised.
//
// Application messages reach session_handler::on_application() once each, in MsgSeqNum
// order; next_in_seq() is that number + 1 once the call returns, so the handler can
// persist the applied message together with the next expected sequence number.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "irra/fix/heartbeat_monitor.hpp"
#include "irra/fix/message.hpp"
#include "irra/fix/message_store.hpp"
#include "irra/fix/numbers.hpp"
#include "irra/fix/writer.hpp"

namespace irra::fix {

struct session_config {
  std::string sender_comp_id;
  std::string target_comp_id;
  std::chrono::seconds heart_bt_int{30};
  // Extra silence tolerated beyond HeartBtInt before a TestRequest (network jitter).
  std::chrono::milliseconds test_request_grace{std::chrono::seconds{6}};
  std::chrono::seconds logon_timeout{10};
  std::chrono::seconds logout_timeout{5};
  // SendingTime further than this from our clock is rejected (FIX "accuracy problem");
  // zero disables the check.
  std::chrono::seconds max_sending_time_skew{120};
  // Out-of-order messages kept while a gap is being filled; beyond it they are dropped
  // (the counterparty re-sends them anyway).
  std::size_t max_queued_messages = 10000;
};

struct session_time {
  std::chrono::steady_clock::time_point steady;  // for timers
  utc_timestamp utc;                             // for SendingTime
};

enum class session_phase : std::uint8_t { disconnected, logon_sent, active, logout_sent };

// Noteworthy session happenings, for the log and /metrics.
enum class session_event : std::uint8_t {
  garbled_message,  // bad framing or checksum: skipped
  sequence_gap,     // MsgSeqNum higher than expected
  resend_request_sent,
  resend_request_answered,
  duplicate_ignored,  // PossDupFlag=Y below the expected MsgSeqNum
  reject_sent,
  reject_received,
  sequence_reset,
  test_request_sent,
};
std::string_view to_string(session_event e) noexcept;

class session_handler {
 public:
  virtual ~session_handler() = default;
  // An application message with MsgSeqNum `seq`, in order, exactly once per number.
  virtual void on_application(const message& m, std::uint64_t seq) = 0;
  virtual void on_logon() {}
  virtual void on_logout(std::string_view /*text*/) {}
  virtual void on_event(session_event /*e*/, std::string_view /*detail*/) {}
};

class session_state {
 public:
  session_state(session_config config, message_store& store, session_handler& handler);

  // Sequence numbers persisted by the caller (1 and 1 for a fresh exchange day).
  void restore(std::uint64_t next_in_seq, std::uint64_t next_out_seq);

  // The transport connected: sends Logon. `new_day` sends ResetSeqNumFlag=Y and restarts
  // both sequences at 1 (clearing the store).
  void on_connected(const session_time& now, bool new_day);
  // Handles the complete messages at the start of `received`; returns the bytes used,
  // which the caller drops from its buffer. Stops early once a disconnect is requested.
  std::size_t on_bytes(std::string_view received, const session_time& now);
  // Heartbeats, TestRequest, logon/logout timeouts. Call at next_deadline() or regularly.
  void on_timer(const session_time& now);
  // The transport is gone; sequence numbers are kept.
  void on_disconnected();
  // Starts the Logout exchange; the session disconnects on the reply or a timeout.
  void logout(std::string_view text, const session_time& now);

  // Sends an application message whose body `write_body(writer&) -> bool` writes (e.g. a
  // lambda calling encode_body). Returns its MsgSeqNum, or 0 when not logged on or the
  // body was refused; then nothing is sent.
  template <class Body>
  std::uint64_t send_application(std::string_view msg_type, const session_time& now,
                                 Body&& write_body) {
    if (phase_ != session_phase::active) return 0;
    writer w(out_);
    begin_message(w, msg_type, now);
    return commit_application(w, static_cast<bool>(write_body(w)), now);
  }

  // Bytes to write to the socket, in order; taking them empties the buffer.
  std::string take_output();
  bool disconnect_requested() const { return disconnect_requested_; }
  std::string_view disconnect_reason() const { return disconnect_reason_; }
  session_phase phase() const { return phase_; }
  std::uint64_t next_in_seq() const { return next_in_; }
  std::uint64_t next_out_seq() const { return next_out_; }
  // When on_timer() next has something to do.
  std::chrono::steady_clock::time_point next_deadline() const;

 private:
  // inbound (session_inbound.cpp)
  void handle(std::string_view raw, const session_time& now);
  void handle_in_sequence(std::uint64_t seq, const session_time& now);
  void handle_logon(std::uint64_t seq, const session_time& now);
  void handle_logout(const session_time& now);
  void handle_sequence_reset(std::uint64_t seq, const session_time& now);
  void handle_resend_request(std::uint64_t seq, const session_time& now);
  void handle_gap(std::uint64_t seq, std::string_view raw, bool queue, const session_time& now);
  bool check_header(std::uint64_t seq, const session_time& now);
  void drain_queue(const session_time& now);
  // outbound (session_outbound.cpp)
  void begin_message(writer& w, std::string_view msg_type, const session_time& now);
  std::uint64_t commit_application(writer& w, bool body_ok, const session_time& now);
  void send_logon(bool reset, const session_time& now);
  void send_heartbeat(std::string_view test_req_id, const session_time& now);
  void send_test_request(const session_time& now);
  void send_resend_request(std::uint64_t begin, const session_time& now);
  void send_logout(std::string_view text, const session_time& now);
  void send_reject(std::uint64_t ref_seq, int ref_tag, session_reject_reason reason,
                   std::string_view text, const session_time& now);
  void send_gap_fill(std::uint64_t seq, std::uint64_t new_seq, const session_time& now);
  void resend(std::uint64_t begin, std::uint64_t end, const session_time& now);
  void finish_admin(writer& w, const session_time& now);
  void check_resend_progress(const session_time& now);
  void disconnect(std::string_view reason);
  void logout_and_disconnect(std::string_view text, const session_time& now);

  session_config config_;
  message_store& store_;
  session_handler& handler_;
  heartbeat_monitor heartbeat_;
  session_phase phase_ = session_phase::disconnected;
  std::uint64_t next_in_ = 1;
  std::uint64_t next_out_ = 1;
  std::string out_;
  bool disconnect_requested_ = false;
  std::string disconnect_reason_;
  std::chrono::steady_clock::time_point phase_started_{};  // for logon/logout timeouts
  bool reset_sent_ = false;
  // While a ResendRequest is outstanding: the highest MsgSeqNum seen, so one request
  // covers the whole gap and later high messages do not trigger more requests.
  std::uint64_t resend_until_ = 0;
  // Progress check of that request: re-sent if next_in_ has not moved for 2 x HeartBtInt.
  std::uint64_t resend_progress_seq_ = 0;
  std::chrono::steady_clock::time_point resend_progress_at_{};
  std::map<std::uint64_t, std::string> queued_;  // received ahead of a gap, by MsgSeqNum
  bool draining_ = false;  // handling queued messages (keeps handle() from recursing)
  std::uint64_t test_request_counter_ = 0;
  message in_;          // the message being handled
  message resend_msg_;  // a stored message being re-sent
  std::vector<stored_message> resend_buffer_;
};

}  // namespace irra::fix
