// What the initiator sends: its admin messages, application messages, and the answer to
// a ResendRequest (stored application messages again with PossDupFlag=Y, GapFill over the
// rest).
#include <string>

#include "irra/fix/session_state.hpp"
#include "irra/fix/tags.hpp"

namespace irra::fix {
namespace {

// Header and trailer fields, which a re-sent message gets afresh.
bool is_envelope_tag(int t) {
  switch (t) {
    case tag::begin_string:
    case tag::body_length:
    case tag::msg_type:
    case tag::sender_comp_id:
    case tag::target_comp_id:
    case tag::msg_seq_num:
    case tag::sending_time:
    case tag::poss_dup_flag:
    case tag::poss_resend:
    case tag::orig_sending_time:
    case tag::check_sum:
      return true;
    default:
      return false;
  }
}

}  // namespace

void session_state::begin_message(writer& w, std::string_view msg_type, const session_time& now) {
  w.begin(msg_type, config_.sender_comp_id, config_.target_comp_id, next_out_, now.utc);
}

void session_state::finish_admin(writer& w, const session_time& now) {
  // Admin fields come from our own values or from fields that parsed (no SOH, not
  // empty), so finish() cannot fail; if it ever did, nothing was written or numbered.
  if (!w.finish()) return;
  ++next_out_;
  heartbeat_.sent(now.steady);
}

std::uint64_t session_state::commit_application(writer& w, bool body_ok, const session_time& now) {
  if (!body_ok) {
    w.abort();
    return 0;
  }
  if (!w.finish()) return 0;
  const std::uint64_t seq = next_out_++;
  store_.save(seq, w.last_message());
  heartbeat_.sent(now.steady);
  return seq;
}

void session_state::send_logon(bool reset, const session_time& now) {
  writer w(out_);
  begin_message(w, msg_type::logon, now);
  w.field_int(tag::encrypt_method, 0).field_int(tag::heart_bt_int, config_.heart_bt_int.count());
  if (reset) w.field_flag(tag::reset_seq_num_flag, true);
  finish_admin(w, now);
}

void session_state::send_heartbeat(std::string_view test_req_id, const session_time& now) {
  writer w(out_);
  begin_message(w, msg_type::heartbeat, now);
  if (!test_req_id.empty()) w.field(tag::test_req_id, test_req_id);
  finish_admin(w, now);
}

void session_state::send_test_request(const session_time& now) {
  const std::string id = "TEST-" + std::to_string(++test_request_counter_);
  writer w(out_);
  begin_message(w, msg_type::test_request, now);
  w.field(tag::test_req_id, id);
  finish_admin(w, now);
  heartbeat_.test_request_sent(now.steady);
  handler_.on_event(session_event::test_request_sent, id);
}

void session_state::send_resend_request(std::uint64_t begin, const session_time& now) {
  writer w(out_);
  begin_message(w, msg_type::resend_request, now);
  w.field_uint(tag::begin_seq_no, begin).field_uint(tag::end_seq_no, 0);
  finish_admin(w, now);
  handler_.on_event(session_event::resend_request_sent, std::to_string(begin) + "..");
}

void session_state::send_logout(std::string_view text, const session_time& now) {
  writer w(out_);
  begin_message(w, msg_type::logout, now);
  if (!text.empty()) w.field(tag::text, text);
  finish_admin(w, now);
}

void session_state::send_reject(std::uint64_t ref_seq, int ref_tag, session_reject_reason reason,
                                std::string_view text, const session_time& now) {
  writer w(out_);
  begin_message(w, msg_type::reject, now);
  w.field_uint(tag::ref_seq_num, ref_seq);
  if (ref_tag > 0) w.field_int(tag::ref_tag_id, ref_tag);
  if (!in_.msg_type().empty()) w.field(tag::ref_msg_type, in_.msg_type());
  w.field_int(tag::session_reject_reason, static_cast<int>(reason));
  if (!text.empty()) w.field(tag::text, text);
  finish_admin(w, now);
  handler_.on_event(session_event::reject_sent, text);
}

void session_state::send_gap_fill(std::uint64_t seq, std::uint64_t new_seq,
                                  const session_time& now) {
  writer w(out_);
  w.begin(msg_type::sequence_reset, header_fields{config_.sender_comp_id, config_.target_comp_id,
                                                  seq, now.utc, true, false, now.utc});
  w.field_flag(tag::gap_fill_flag, true).field_uint(tag::new_seq_no, new_seq);
  if (w.finish()) heartbeat_.sent(now.steady);
}

void session_state::resend(std::uint64_t begin, std::uint64_t end, const session_time& now) {
  const std::uint64_t last_sent = next_out_ - 1;
  if (end == 0 || end > last_sent) end = last_sent;  // 0 means "up to the latest"
  if (begin == 0 || begin > end) return;
  resend_buffer_.clear();
  store_.load(begin, end, resend_buffer_);
  std::uint64_t gap_from = begin;  // first number not yet re-sent or gap-filled
  for (const stored_message& m : resend_buffer_) {
    if (m.seq < gap_from || m.seq > end || !resend_msg_.parse(m.raw)) continue;
    if (m.seq > gap_from) send_gap_fill(gap_from, m.seq, now);
    writer w(out_);
    w.begin(resend_msg_.msg_type(),
            header_fields{config_.sender_comp_id, config_.target_comp_id, m.seq, now.utc, true,
                          resend_msg_.get_flag(tag::poss_resend),
                          resend_msg_.get_utc_timestamp(tag::sending_time).value_or(now.utc)});
    for (const field& f : resend_msg_.fields()) {
      if (!is_envelope_tag(f.tag)) w.field(f.tag, f.value);
    }
    if (w.finish()) {
      heartbeat_.sent(now.steady);
      gap_from = m.seq + 1;
    }
  }
  if (gap_from <= end) send_gap_fill(gap_from, end + 1, now);
}

}  // namespace irra::fix
