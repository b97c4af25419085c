// What the acceptor does with the initiator's messages: the Logon, sequence checks, the
// admin messages, and handing application messages up in order (as the initiator in
// src/fix does on its side).
#include <string>

#include "acceptor_session.hpp"
#include "irra/fix/parser.hpp"
#include "irra/fix/tags.hpp"

namespace irra::sim {
namespace tag = fix::tag;
namespace msg_type = fix::msg_type;
using fix::session_reject_reason;

namespace {

std::string too_low(std::uint64_t expected, std::uint64_t received) {
  return "MsgSeqNum too low, expecting " + std::to_string(expected) + " but received " +
         std::to_string(received);
}

constexpr std::size_t max_queued_messages = 10000;

}  // namespace

acceptor_session::acceptor_session(session_kind kind, std::string comp_id,
                                   fix::message_store& store, acceptor_handler& handler)
    : kind_(kind), comp_id_(std::move(comp_id)), store_(store), handler_(handler) {}

void acceptor_session::attach(std::shared_ptr<transport> t, std::string counterparty,
                              const session_time& now) {
  if (transport_) close("replaced by a new connection", false);
  transport_ = std::move(t);
  counterparty_ = std::move(counterparty);
  phase_ = phase::awaiting_logon;
  heartbeat_.start(now.steady);
}

void acceptor_session::connection_lost(const transport* t, std::string_view reason) {
  if (!transport_ || transport_.get() != t) return;
  transport_.reset();
  close(reason, false);
}

std::size_t acceptor_session::on_bytes(std::string_view received, const session_time& now) {
  std::size_t used = 0;
  while (transport_ && used < received.size()) {
    const fix::frame_result f = fix::frame(received.substr(used));
    if (f.status == fix::frame_status::need_more) break;
    used += f.consumed;
    if (f.status == fix::frame_status::garbage) {
      ++counters_.garbled;  // garbled: skipped without a reject, the number is not used
      continue;
    }
    handle(f.message, now);
  }
  wake();
  return used;
}

void acceptor_session::handle(std::string_view raw, const session_time& now) {
  heartbeat_.received(now.steady);
  const bool well_formed = in_.parse(raw);
  const std::string_view type = in_.msg_type();
  const auto seq_field = in_.get_uint(tag::msg_seq_num);
  if (!seq_field || *seq_field == 0) {
    if (well_formed) logout_and_close("MsgSeqNum missing or invalid", now);
    return;
  }
  const std::uint64_t seq = *seq_field;

  if (phase_ == phase::awaiting_logon) {
    if (type != msg_type::logon || !well_formed) {
      return logout_and_close("first message is not a Logon", now);
    }
    return handle_logon(seq, now);
  }
  if (!well_formed) {
    const fix::parse_error& e = *in_.error();
    if (seq == next_in_) {
      reject(seq, e.ref_tag, e.reason, e.text, now);
      ++next_in_;
      drain_queue(now);
    } else if (seq > next_in_) {
      handle_gap(seq, raw, false, now);
    } else if (!in_.get_flag(tag::poss_dup_flag)) {
      logout_and_close(too_low(next_in_, seq), now);
    }
    return;
  }
  if (!check_header(seq, now)) return;
  if (type == msg_type::sequence_reset && !in_.get_flag(tag::gap_fill_flag)) {
    return handle_sequence_reset(seq, now);
  }
  if (type == msg_type::logout) {
    if (seq == next_in_) ++next_in_;
    if (phase_ != phase::logout_sent) send_logout({}, now);
    return close("counterparty logged out", true);
  }
  if (type == msg_type::logon) return logout_and_close("unexpected Logon", now);
  if (seq > next_in_) {
    if (type == msg_type::resend_request) handle_in_sequence(seq, now);
    return handle_gap(seq, raw, type != msg_type::resend_request, now);
  }
  if (seq < next_in_) {
    if (!in_.get_flag(tag::poss_dup_flag)) logout_and_close(too_low(next_in_, seq), now);
    return;  // a PossDup we already have
  }
  handle_in_sequence(seq, now);
  ++next_in_;
  drain_queue(now);
}

bool acceptor_session::check_header(std::uint64_t seq, const session_time& now) {
  if (in_.get(tag::target_comp_id) != comp_id_ || in_.get(tag::sender_comp_id) != counterparty_) {
    reject(seq,
           in_.get(tag::target_comp_id) != comp_id_ ? tag::target_comp_id : tag::sender_comp_id,
           session_reject_reason::comp_id_problem, "CompID problem", now);
    logout_and_close("CompID problem", now);
    return false;
  }
  const auto consume_if_next = [&] {
    if (seq == next_in_) {
      ++next_in_;
      drain_queue(now);
    }
  };
  if (!in_.get_utc_timestamp(tag::sending_time)) {
    reject(seq, tag::sending_time,
           in_.has(tag::sending_time) ? session_reject_reason::incorrect_data_format
                                      : session_reject_reason::required_tag_missing,
           "bad SendingTime", now);
    consume_if_next();
    return false;
  }
  if (in_.get_flag(tag::poss_dup_flag) && in_.msg_type() != msg_type::sequence_reset &&
      !in_.get_utc_timestamp(tag::orig_sending_time)) {
    reject(seq, tag::orig_sending_time, session_reject_reason::required_tag_missing,
           "PossDupFlag=Y without OrigSendingTime", now);
    consume_if_next();
    return false;
  }
  return true;
}

void acceptor_session::handle_logon(std::uint64_t seq, const session_time& now) {
  const auto hbi = in_.get_uint(tag::heart_bt_int);
  if (!hbi || *hbi == 0 || *hbi > 3600) {
    return logout_and_close("Logon without a valid HeartBtInt", now);
  }
  const bool reset = in_.get_flag(tag::reset_seq_num_flag);
  if (reset) {
    // The initiator starts a new day: both directions restart at 1.
    next_in_ = 1;
    next_out_ = 1;
    store_.reset();
    hold_back_ = 0;
    last_app_seq_ = 0;
  }
  if (seq < next_in_) return logout_and_close(too_low(next_in_, seq), now);
  const std::chrono::seconds interval{*hbi};
  heartbeat_ = fix::heartbeat_monitor(
      interval, std::max<std::chrono::milliseconds>(std::chrono::seconds{1}, interval / 5));
  phase_ = phase::active;
  catch_up_ = false;
  resend_until_ = 0;
  queued_.clear();
  send_logon(*hbi, reset, now);
  heartbeat_.start(now.steady);
  ++counters_.logons;
  handler_.on_logon(*this);
  if (seq > next_in_) return handle_gap(seq, in_.raw(), false, now);
  ++next_in_;
}

void acceptor_session::handle_sequence_reset(std::uint64_t seq, const session_time& now) {
  const auto new_seq = in_.get_uint(tag::new_seq_no);
  if (!new_seq) {
    return reject(seq, tag::new_seq_no, session_reject_reason::required_tag_missing,
                  "NewSeqNo missing", now);
  }
  if (*new_seq < next_in_) {
    return reject(seq, tag::new_seq_no, session_reject_reason::value_out_of_range,
                  "attempt to lower sequence number", now);
  }
  next_in_ = *new_seq;
  drain_queue(now);
}

// Handles one in-sequence message; the caller advances next_in_ (a GapFill sets it).
void acceptor_session::handle_in_sequence(std::uint64_t seq, const session_time& now) {
  const std::string_view type = in_.msg_type();
  if (!fix::is_admin_msg_type(type)) {
    handler_.on_application(*this, in_, seq, now);
    return;
  }
  switch (type[0]) {
    case '1':
      if (const auto id = in_.get(tag::test_req_id)) {
        send_heartbeat(*id, now);
      } else {
        reject(seq, tag::test_req_id, session_reject_reason::required_tag_missing,
               "TestReqID missing", now);
      }
      break;
    case '2': {
      const auto begin = in_.get_uint(tag::begin_seq_no);
      const auto end = in_.get_uint(tag::end_seq_no);
      if (!begin || !end) {
        reject(seq, begin ? tag::end_seq_no : tag::begin_seq_no,
               session_reject_reason::required_tag_missing, "bad ResendRequest", now);
        break;
      }
      ++counters_.resend_requests_received;
      start_resend(*begin, *end, now);
      break;
    }
    case '4': {  // GapFill in sequence
      const auto new_seq = in_.get_uint(tag::new_seq_no);
      if (!new_seq || *new_seq <= seq) {
        reject(seq, tag::new_seq_no,
               new_seq ? session_reject_reason::value_out_of_range
                       : session_reject_reason::required_tag_missing,
               "bad NewSeqNo in GapFill", now);
        break;
      }
      next_in_ = *new_seq - 1;  // the caller adds one
      break;
    }
    default:
      break;  // Heartbeat, Reject: receiving them was enough
  }
}

void acceptor_session::handle_gap(std::uint64_t seq, std::string_view raw, bool queue,
                                  const session_time& now) {
  if (queue && queued_.size() < max_queued_messages) queued_.try_emplace(seq, raw);
  if (resend_until_ == 0) send_resend_request(next_in_, now);
  resend_until_ = std::max(resend_until_, seq);
}

void acceptor_session::drain_queue(const session_time& now) {
  if (draining_) return;
  draining_ = true;
  while (transport_) {
    queued_.erase(queued_.begin(), queued_.lower_bound(next_in_));
    if (resend_until_ != 0 && next_in_ > resend_until_) resend_until_ = 0;
    const auto it = queued_.find(next_in_);
    if (it == queued_.end()) break;
    const std::string raw = std::move(it->second);
    queued_.erase(it);
    handle(raw, now);
  }
  draining_ = false;
}

void acceptor_session::on_timer(const session_time& now) {
  if (phase_ == phase::logout_sent) {
    if (now.steady - logout_sent_at_ > std::chrono::seconds{5}) close("logout timed out", false);
    return;
  }
  if (phase_ == phase::awaiting_logon) return;  // the connection's logon timer covers it
  if (phase_ != phase::active) return;
  switch (heartbeat_.due(now.steady)) {
    case fix::heartbeat_monitor::action::none:
      break;
    case fix::heartbeat_monitor::action::send_heartbeat:
      send_heartbeat({}, now);
      break;
    case fix::heartbeat_monitor::action::send_test_request:
      send_test_request(now);
      break;
    case fix::heartbeat_monitor::action::disconnect:
      close("no answer to TestRequest", false);
      break;
  }
  wake();
}

}  // namespace irra::sim
