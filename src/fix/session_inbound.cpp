// What the initiator does with each message it receives: validation, sequence checks,
// the admin messages, and handing application messages up in order.
#include <string>

#include "irra/fix/session_state.hpp"
#include "irra/fix/tags.hpp"

namespace irra::fix {
namespace {

std::string too_low(std::uint64_t expected, std::uint64_t received) {
  return "MsgSeqNum too low, expecting " + std::to_string(expected) + " but received " +
         std::to_string(received);
}

std::chrono::nanoseconds abs_diff(utc_timestamp a, utc_timestamp b) {
  return a > b ? a - b : b - a;
}

}  // namespace

void session_state::handle(std::string_view raw, const session_time& now) {
  heartbeat_.received(now.steady);
  const bool well_formed = in_.parse(raw);
  const std::string_view type = in_.msg_type();
  const auto seq_field = in_.get_uint(tag::msg_seq_num);
  if (!seq_field || *seq_field == 0) {
    if (!well_formed) {
      handler_.on_event(session_event::garbled_message, "no readable MsgSeqNum");
    } else {
      logout_and_disconnect("MsgSeqNum missing or invalid", now);
    }
    return;
  }
  const std::uint64_t seq = *seq_field;

  if (phase_ == session_phase::logon_sent) {
    // The first message must be the Logon response (or a Logout refusing us).
    if (type == msg_type::logout) return handle_logout(now);
    if (type != msg_type::logon || !well_formed) return disconnect("first message is not a Logon");
    if (!check_header(seq, now)) return;
    return handle_logon(seq, now);
  }

  if (!well_formed) {
    const parse_error& e = *in_.error();
    if (seq == next_in_) {
      send_reject(seq, e.ref_tag, e.reason, e.text, now);
      ++next_in_;
      drain_queue(now);
    } else if (seq > next_in_) {
      handle_gap(seq, raw, false, now);  // it will come again, and be rejected then
    } else if (!in_.get_flag(tag::poss_dup_flag)) {
      logout_and_disconnect(too_low(next_in_, seq), now);
    }
    return;
  }
  if (!check_header(seq, now)) return;

  if (type == msg_type::sequence_reset && !in_.get_flag(tag::gap_fill_flag)) {
    return handle_sequence_reset(seq, now);  // Reset mode ignores MsgSeqNum
  }
  if (type == msg_type::logout) {
    if (seq == next_in_) ++next_in_;
    return handle_logout(now);
  }
  if (type == msg_type::logon) return logout_and_disconnect("unexpected Logon", now);
  if (seq > next_in_) {
    // Answer a ResendRequest at once so both sides can recover, then ask for our gap.
    if (type == msg_type::resend_request) handle_resend_request(seq, now);
    return handle_gap(seq, raw, type != msg_type::resend_request, now);
  }
  if (seq < next_in_) {
    if (in_.get_flag(tag::poss_dup_flag)) {
      handler_.on_event(session_event::duplicate_ignored, std::to_string(seq));
    } else {
      logout_and_disconnect(too_low(next_in_, seq), now);
    }
    return;
  }
  handle_in_sequence(seq, now);
  drain_queue(now);
}

bool session_state::check_header(std::uint64_t seq, const session_time& now) {
  if (in_.get(tag::sender_comp_id) != config_.target_comp_id ||
      in_.get(tag::target_comp_id) != config_.sender_comp_id) {
    const int bad = in_.get(tag::sender_comp_id) != config_.target_comp_id ? tag::sender_comp_id
                                                                           : tag::target_comp_id;
    send_reject(seq, bad, session_reject_reason::comp_id_problem, "CompID problem", now);
    logout_and_disconnect("CompID problem", now);
    return false;
  }
  const auto consume_if_next = [&] {
    if (seq == next_in_) {
      ++next_in_;
      drain_queue(now);
    }
  };
  const auto sending_time = in_.get_utc_timestamp(tag::sending_time);
  if (!sending_time) {
    send_reject(seq, tag::sending_time,
                in_.has(tag::sending_time) ? session_reject_reason::incorrect_data_format
                                           : session_reject_reason::required_tag_missing,
                "bad SendingTime", now);
    consume_if_next();
    return false;
  }
  if (config_.max_sending_time_skew.count() > 0 &&
      abs_diff(*sending_time, now.utc) > config_.max_sending_time_skew) {
    send_reject(seq, tag::sending_time, session_reject_reason::sending_time_accuracy,
                "SendingTime accuracy problem", now);
    logout_and_disconnect("SendingTime accuracy problem", now);
    return false;
  }
  // A re-sent message must say when it was first sent, and that cannot be later than now
  // (SequenceReset is exempt, as in QuickFIX: many engines omit 122 on a GapFill).
  if (in_.get_flag(tag::poss_dup_flag) && in_.msg_type() != msg_type::sequence_reset) {
    const auto orig = in_.get_utc_timestamp(tag::orig_sending_time);
    if (!orig) {
      send_reject(seq, tag::orig_sending_time, session_reject_reason::required_tag_missing,
                  "PossDupFlag=Y without OrigSendingTime", now);
      consume_if_next();
      return false;
    }
    if (*orig > *sending_time) {
      send_reject(seq, tag::orig_sending_time, session_reject_reason::sending_time_accuracy,
                  "OrigSendingTime after SendingTime", now);
      logout_and_disconnect("SendingTime accuracy problem", now);
      return false;
    }
  }
  return true;
}

void session_state::handle_logon(std::uint64_t seq, const session_time& now) {
  if (!in_.get_uint(tag::heart_bt_int)) {
    return logout_and_disconnect("Logon without a valid HeartBtInt", now);
  }
  // The counterparty restarted its numbering (we may or may not have asked).
  if (in_.get_flag(tag::reset_seq_num_flag)) next_in_ = 1;
  if (seq < next_in_) return logout_and_disconnect(too_low(next_in_, seq), now);
  phase_ = session_phase::active;
  heartbeat_.start(now.steady);
  handler_.on_logon();
  if (seq > next_in_) return handle_gap(seq, in_.raw(), false, now);
  ++next_in_;
}

void session_state::handle_logout(const session_time& now) {
  const std::string text(in_.get(tag::text).value_or(std::string_view{}));
  const session_phase was = phase_;
  handler_.on_logout(text);
  if (was == session_phase::logout_sent) return disconnect("logged out");
  if (was == session_phase::logon_sent) return disconnect("Logon refused: " + text);
  send_logout({}, now);  // confirm, then the acceptor closes; so do we
  disconnect("counterparty logged out: " + text);
}

void session_state::handle_sequence_reset(std::uint64_t seq, const session_time& now) {
  const auto new_seq = in_.get_uint(tag::new_seq_no);
  if (!new_seq) {
    return send_reject(seq, tag::new_seq_no, session_reject_reason::required_tag_missing,
                       "NewSeqNo missing", now);
  }
  if (*new_seq < next_in_) {
    return send_reject(seq, tag::new_seq_no, session_reject_reason::value_out_of_range,
                       "attempt to lower sequence number", now);
  }
  handler_.on_event(session_event::sequence_reset,
                    std::to_string(next_in_) + " -> " + std::to_string(*new_seq));
  next_in_ = *new_seq;
  drain_queue(now);
}

void session_state::handle_resend_request(std::uint64_t seq, const session_time& now) {
  const auto begin = in_.get_uint(tag::begin_seq_no);
  const auto end = in_.get_uint(tag::end_seq_no);
  if (!begin || !end) {
    return send_reject(seq, begin ? tag::end_seq_no : tag::begin_seq_no,
                       session_reject_reason::required_tag_missing, "bad ResendRequest", now);
  }
  handler_.on_event(session_event::resend_request_answered,
                    std::to_string(*begin) + ".." + std::to_string(*end));
  resend(*begin, *end, now);
}

void session_state::handle_in_sequence(std::uint64_t seq, const session_time& now) {
  const std::string_view type = in_.msg_type();
  if (!is_admin_msg_type(type)) {
    handler_.on_application(in_, seq);
    ++next_in_;
    return;
  }
  switch (type[0]) {
    case '0':
      break;  // Heartbeat: receiving it already reset the silence timer
    case '1': {
      const auto id = in_.get(tag::test_req_id);
      if (!id) {
        send_reject(seq, tag::test_req_id, session_reject_reason::required_tag_missing,
                    "TestReqID missing", now);
      } else {
        send_heartbeat(*id, now);
      }
      break;
    }
    case '2':
      handle_resend_request(seq, now);
      break;
    case '3':
      handler_.on_event(session_event::reject_received, in_.get(tag::text).value_or(""));
      break;
    case '4': {  // GapFill, in sequence
      const auto new_seq = in_.get_uint(tag::new_seq_no);
      if (!new_seq || *new_seq <= seq) {
        send_reject(seq, tag::new_seq_no,
                    new_seq ? session_reject_reason::value_out_of_range
                            : session_reject_reason::required_tag_missing,
                    "bad NewSeqNo in GapFill", now);
        break;
      }
      handler_.on_event(session_event::sequence_reset,
                        "gap fill " + std::to_string(seq) + " -> " + std::to_string(*new_seq));
      next_in_ = *new_seq;
      return;
    }
    default:
      break;
  }
  ++next_in_;
}

void session_state::handle_gap(std::uint64_t seq, std::string_view raw, bool queue,
                               const session_time& now) {
  handler_.on_event(session_event::sequence_gap,
                    "expected " + std::to_string(next_in_) + ", received " + std::to_string(seq));
  if (queue && queued_.size() < config_.max_queued_messages) {
    queued_.try_emplace(seq, raw);
  }
  // One ResendRequest (up to "infinity") covers the whole gap, however it grows.
  if (resend_until_ == 0) {
    send_resend_request(next_in_, now);
    resend_progress_seq_ = next_in_;
    resend_progress_at_ = now.steady;
  }
  resend_until_ = std::max(resend_until_, seq);
}

void session_state::check_resend_progress(const session_time& now) {
  if (resend_until_ == 0 || now.steady - resend_progress_at_ < 2 * config_.heart_bt_int) return;
  // A counterparty that ignored or lost our ResendRequest would leave the gap open and
  // the queued messages unapplied for ever: ask again.
  if (next_in_ == resend_progress_seq_) send_resend_request(next_in_, now);
  resend_progress_seq_ = next_in_;
  resend_progress_at_ = now.steady;
}

void session_state::drain_queue(const session_time& now) {
  if (draining_) return;  // handle() of a queued message comes back here
  draining_ = true;
  while (!disconnect_requested_) {
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

}  // namespace irra::fix
