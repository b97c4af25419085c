// The acceptor side of one FIX 4.4 session of the simulated exchange (drop copy, order
// entry or market data). Its sequence numbers and stored messages outlive connections:
// IRRA may reconnect (after a kill -9) and ask for everything it missed. A pure state
// machine fed with bytes and times; it writes into an output buffer that the attached
// transport (a TCP connection) drains.
//
// Application messages are always numbered and stored; they are written at once when
// the session is logged on and not catching up. After a ResendRequest the session
// "catches up": it replays stored messages (PossDupFlag=Y, GapFill over admin and
// unstored numbers) paced by the transport, then delivers what was numbered meanwhile,
// then goes live again.
//
// Thread rule: everything runs on the simulator's single thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "irra/fix/heartbeat_monitor.hpp"
#include "irra/fix/message.hpp"
#include "irra/fix/message_store.hpp"
#include "irra/fix/session_state.hpp"
#include "irra/fix/writer.hpp"
#include "session_kind.hpp"

namespace irra::sim {

using fix::session_time;

// The connection a session writes to (fix_connection implements it).
class transport {
 public:
  virtual ~transport() = default;
  // The session has output waiting: take it with acceptor_session::take_output().
  virtual void wake() = 0;
  // Write `final_bytes` (may be empty), then close. The session has already let go.
  virtual void close(std::string final_bytes) = 0;
  // Stop reading and writing, without closing, for `d` (fault injection).
  virtual void half_open(std::chrono::milliseconds d) = 0;
};

class acceptor_session;

class acceptor_handler {
 public:
  virtual ~acceptor_handler() = default;
  virtual void on_application(acceptor_session& s, const fix::message& m, std::uint64_t seq,
                              const session_time& now) = 0;
  virtual void on_logon(acceptor_session& s) = 0;
  virtual void on_disconnect(acceptor_session& s, std::string_view reason) = 0;
  // A stored message sent again by fault injection (PossDupFlag=Y or PossResend=Y).
  virtual void on_duplicate_sent(acceptor_session& s, const fix::message& m, std::uint64_t seq,
                                 bool poss_dup, bool poss_resend) = 0;
};

struct acceptor_counters {
  std::uint64_t app_sent = 0;   // application messages numbered (written or stored)
  std::uint64_t resent = 0;     // messages replayed for a ResendRequest
  std::uint64_t gap_fills = 0;  // GapFills sent
  std::uint64_t resend_requests_received = 0;
  std::uint64_t resend_requests_sent = 0;
  std::uint64_t rejects_sent = 0;
  std::uint64_t logons = 0;
  std::uint64_t garbled = 0;
};

class acceptor_session {
 public:
  acceptor_session(session_kind kind, std::string comp_id, fix::message_store& store,
                   acceptor_handler& handler);

  session_kind kind() const { return kind_; }
  const std::string& comp_id() const { return comp_id_; }
  const std::string& counterparty() const { return counterparty_; }
  bool logged_on() const { return phase_ == phase::active; }
  bool attached() const { return transport_ != nullptr; }
  std::uint64_t next_in_seq() const { return next_in_; }
  std::uint64_t next_out_seq() const { return next_out_; }
  const acceptor_counters& counters() const { return counters_; }
  // Bytes waiting in the output buffer (for the drop-copy flow's back-pressure).
  std::size_t pending_output() const { return out_.size(); }

  // A new connection whose first message is a Logon naming this session; any previous
  // connection is closed (the initiator may reconnect before we noticed the old one die).
  void attach(std::shared_ptr<transport> t, std::string counterparty, const session_time& now);
  // The connection `t` is gone (ignored when `t` is no longer the attached one).
  void connection_lost(const transport* t, std::string_view reason);
  bool is_attached_to(const transport* t) const { return transport_.get() == t; }

  // Handles the complete messages at the start of `received`; returns the bytes used.
  std::size_t on_bytes(std::string_view received, const session_time& now);
  // Heartbeat, TestRequest and silence checks.
  void on_timer(const session_time& now);
  // The transport wrote everything it had: continue a resend.
  void on_drained(const session_time& now);
  std::string take_output();

  // Numbers, stores (when `keep`) and, when live, writes an application message whose
  // body `write_body(fix::writer&) -> bool` writes. Returns its MsgSeqNum (0 if refused).
  template <class Body>
  std::uint64_t send_application(std::string_view msg_type, const session_time& now,
                                 Body&& write_body, bool keep = true) {
    const bool live = is_live();
    std::string& target = live ? out_ : scratch_;
    if (!live) scratch_.clear();
    fix::writer w(target);
    w.begin(msg_type, comp_id_, counterparty_, next_out_, now.utc);
    if (!static_cast<bool>(write_body(w))) {
      w.abort();
      return 0;
    }
    return commit_application(w, live, keep, now);
  }
  // A session-level Reject of the message being handled (e.g. a required field missing).
  void reject(std::uint64_t ref_seq, int ref_tag, fix::session_reject_reason reason,
              std::string_view text, const session_time& now);

  // Fault injection.
  void drop_connection(std::string_view reason);
  void hold_back(std::uint64_t n) { hold_back_ += n; }
  bool send_duplicate(const session_time& now);
  void send_sequence_reset(std::uint64_t jump, const session_time& now);
  void write_raw(std::string_view bytes);
  bool half_open(std::chrono::milliseconds d);

 private:
  enum class phase : std::uint8_t { disconnected, awaiting_logon, active, logout_sent };

  bool is_live() const {
    return phase_ == phase::active && transport_ && !catch_up_ && hold_back_ == 0;
  }
  // inbound (acceptor_inbound.cpp)
  void handle(std::string_view raw, const session_time& now);
  void handle_logon(std::uint64_t seq, const session_time& now);
  void handle_in_sequence(std::uint64_t seq, const session_time& now);
  void handle_gap(std::uint64_t seq, std::string_view raw, bool queue, const session_time& now);
  void handle_sequence_reset(std::uint64_t seq, const session_time& now);
  bool check_header(std::uint64_t seq, const session_time& now);
  void drain_queue(const session_time& now);
  // outbound (acceptor_outbound.cpp)
  std::uint64_t commit_application(fix::writer& w, bool live, bool keep, const session_time& now);
  void begin_admin(fix::writer& w, std::string_view msg_type, const session_time& now);
  void finish_admin(fix::writer& w, const session_time& now);
  void send_logon(std::uint64_t heart_bt_int, bool reset, const session_time& now);
  void send_heartbeat(std::string_view test_req_id, const session_time& now);
  void send_test_request(const session_time& now);
  void send_resend_request(std::uint64_t begin, const session_time& now);
  void send_logout(std::string_view text, const session_time& now);
  void send_gap_fill(std::uint64_t seq, std::uint64_t new_seq, const session_time& now);
  void start_resend(std::uint64_t begin, std::uint64_t end, const session_time& now);
  void pump_resend(const session_time& now);
  void resend_one(const fix::stored_message& m, bool poss_dup, const session_time& now);
  void logout_and_close(std::string_view text, const session_time& now);
  void close(std::string_view reason, bool flush);
  void wake();

  session_kind kind_;
  std::string comp_id_;       // ours: EXCH-DC, EXCH-OE or EXCH-MD
  std::string counterparty_;  // the SenderCompID the initiator logged on with
  fix::message_store& store_;
  acceptor_handler& handler_;
  std::shared_ptr<transport> transport_;
  phase phase_ = phase::disconnected;
  fix::heartbeat_monitor heartbeat_{std::chrono::seconds{30}, std::chrono::seconds{6}};
  std::chrono::steady_clock::time_point logout_sent_at_{};
  std::uint64_t next_in_ = 1;
  std::uint64_t next_out_ = 1;
  std::string out_;
  std::string scratch_;  // messages numbered while not live: stored, not written
  // Inbound gap handling, as in the initiator.
  std::uint64_t resend_until_ = 0;
  std::map<std::uint64_t, std::string> queued_;
  bool draining_ = false;
  std::uint64_t test_request_counter_ = 0;
  // Outbound resend ("catch-up"): [deliver_from_, resend_to_] go with PossDupFlag=Y, then
  // [live_from_, next_out_) were numbered during the catch-up and go as new.
  bool catch_up_ = false;
  std::uint64_t deliver_from_ = 0;
  std::uint64_t resend_to_ = 0;
  std::uint64_t live_from_ = 0;
  std::uint64_t hold_back_ = 0;     // skip-seq fault: numbers stored but not written
  std::uint64_t last_app_seq_ = 0;  // for the duplicate fault
  acceptor_counters counters_;
  fix::message in_;
  fix::message resend_msg_;
  std::vector<fix::stored_message> resend_buffer_;
};

}  // namespace irra::sim
