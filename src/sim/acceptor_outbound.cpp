// What the acceptor sends: admin messages, application messages, the paced answer to a
// ResendRequest, and the faults the control port injects.
#include <string>

#include "acceptor_session.hpp"
#include "irra/fix/tags.hpp"

namespace irra::sim {
namespace tag = fix::tag;
namespace msg_type = fix::msg_type;

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

// A resend writes at most this much before waiting for the transport to drain.
constexpr std::size_t resend_output_limit = 1 << 20;
constexpr std::uint64_t resend_batch = 2000;

}  // namespace

std::uint64_t acceptor_session::commit_application(fix::writer& w, bool live, bool keep,
                                                   const session_time& now) {
  if (!w.finish()) return 0;
  const std::uint64_t seq = next_out_++;
  if (keep) {
    store_.save(seq, w.last_message());
    last_app_seq_ = seq;
  }
  ++counters_.app_sent;
  if (live) {
    heartbeat_.sent(now.steady);
    wake();
  } else if (hold_back_ > 0 && phase_ == phase::active && transport_ && !catch_up_) {
    --hold_back_;  // stays unwritten until the initiator asks for it
  }
  return seq;
}

std::string acceptor_session::take_output() {
  std::string taken;
  taken.swap(out_);
  return taken;
}

void acceptor_session::wake() {
  if (transport_ && !out_.empty()) transport_->wake();
}

void acceptor_session::begin_admin(fix::writer& w, std::string_view type, const session_time& now) {
  w.begin(type, comp_id_, counterparty_, next_out_, now.utc);
}

void acceptor_session::finish_admin(fix::writer& w, const session_time& now) {
  if (!w.finish()) return;
  ++next_out_;
  heartbeat_.sent(now.steady);
}

void acceptor_session::send_logon(std::uint64_t heart_bt_int, bool reset, const session_time& now) {
  fix::writer w(out_);
  begin_admin(w, msg_type::logon, now);
  w.field_int(tag::encrypt_method, 0).field_uint(tag::heart_bt_int, heart_bt_int);
  if (reset) w.field_flag(tag::reset_seq_num_flag, true);
  finish_admin(w, now);
}

void acceptor_session::send_heartbeat(std::string_view test_req_id, const session_time& now) {
  fix::writer w(out_);
  begin_admin(w, msg_type::heartbeat, now);
  if (!test_req_id.empty()) w.field(tag::test_req_id, test_req_id);
  finish_admin(w, now);
}

void acceptor_session::send_test_request(const session_time& now) {
  fix::writer w(out_);
  begin_admin(w, msg_type::test_request, now);
  w.field(tag::test_req_id, "SIM-" + std::to_string(++test_request_counter_));
  finish_admin(w, now);
  heartbeat_.test_request_sent(now.steady);
}

void acceptor_session::send_resend_request(std::uint64_t begin, const session_time& now) {
  fix::writer w(out_);
  begin_admin(w, msg_type::resend_request, now);
  w.field_uint(tag::begin_seq_no, begin).field_uint(tag::end_seq_no, 0);
  finish_admin(w, now);
  ++counters_.resend_requests_sent;
}

void acceptor_session::send_logout(std::string_view text, const session_time& now) {
  fix::writer w(out_);
  begin_admin(w, msg_type::logout, now);
  if (!text.empty()) w.field(tag::text, text);
  finish_admin(w, now);
}

void acceptor_session::reject(std::uint64_t ref_seq, int ref_tag, fix::session_reject_reason reason,
                              std::string_view text, const session_time& now) {
  fix::writer w(out_);
  begin_admin(w, msg_type::reject, now);
  w.field_uint(tag::ref_seq_num, ref_seq);
  if (ref_tag > 0) w.field_int(tag::ref_tag_id, ref_tag);
  if (!in_.msg_type().empty()) w.field(tag::ref_msg_type, in_.msg_type());
  w.field_int(tag::session_reject_reason, static_cast<int>(reason));
  if (!text.empty()) w.field(tag::text, text);
  finish_admin(w, now);
  ++counters_.rejects_sent;
  wake();
}

void acceptor_session::send_gap_fill(std::uint64_t seq, std::uint64_t new_seq,
                                     const session_time& now) {
  fix::writer w(out_);
  w.begin(msg_type::sequence_reset,
          fix::header_fields{comp_id_, counterparty_, seq, now.utc, true, false, now.utc});
  w.field_flag(tag::gap_fill_flag, true).field_uint(tag::new_seq_no, new_seq);
  if (w.finish()) {
    heartbeat_.sent(now.steady);
    ++counters_.gap_fills;
  }
}

void acceptor_session::logout_and_close(std::string_view text, const session_time& now) {
  send_logout(text, now);
  close(text, true);
}

void acceptor_session::close(std::string_view reason, bool flush) {
  const bool was_open = phase_ != phase::disconnected;
  phase_ = phase::disconnected;
  catch_up_ = false;
  resend_until_ = 0;
  queued_.clear();
  std::string final_bytes = flush ? take_output() : std::string{};
  out_.clear();
  if (auto t = std::move(transport_)) t->close(std::move(final_bytes));
  if (was_open) handler_.on_disconnect(*this, reason);
}

void acceptor_session::drop_connection(std::string_view reason) {
  close(reason, false);
}

void acceptor_session::start_resend(std::uint64_t begin, std::uint64_t end,
                                    const session_time& now) {
  const std::uint64_t last_sent = next_out_ - 1;
  if (end == 0 || end > last_sent) end = last_sent;
  if (begin == 0 || begin > end) return;
  if (!catch_up_) {
    catch_up_ = true;
    live_from_ = next_out_;
    resend_to_ = end;
  } else {
    resend_to_ = std::max(resend_to_, end);
  }
  deliver_from_ = begin;
  pump_resend(now);
}

void acceptor_session::on_drained(const session_time& now) {
  if (catch_up_) pump_resend(now);
}

void acceptor_session::pump_resend(const session_time& now) {
  while (catch_up_ && transport_ && out_.size() < resend_output_limit) {
    if (deliver_from_ > resend_to_ && deliver_from_ < live_from_) deliver_from_ = live_from_;
    if (deliver_from_ >= next_out_) {
      catch_up_ = false;  // caught up: live again
      break;
    }
    const bool replay = deliver_from_ < live_from_;
    const std::uint64_t limit = replay ? std::min(resend_to_, live_from_ - 1) : next_out_ - 1;
    const std::uint64_t batch_end = std::min(limit, deliver_from_ + resend_batch - 1);
    resend_buffer_.clear();
    store_.load(deliver_from_, batch_end, resend_buffer_);
    std::uint64_t gap_from = deliver_from_;
    for (const fix::stored_message& m : resend_buffer_) {
      if (m.seq < gap_from || m.seq > batch_end) continue;
      if (m.seq > gap_from) send_gap_fill(gap_from, m.seq, now);
      resend_one(m, replay, now);
      gap_from = m.seq + 1;
    }
    if (gap_from <= batch_end) send_gap_fill(gap_from, batch_end + 1, now);
    deliver_from_ = batch_end + 1;
  }
  wake();
}

void acceptor_session::resend_one(const fix::stored_message& m, bool poss_dup,
                                  const session_time& now) {
  if (!resend_msg_.parse(m.raw)) return;
  fix::header_fields h{comp_id_,    counterparty_, m.seq,
                       now.utc,     poss_dup,      resend_msg_.get_flag(tag::poss_resend),
                       std::nullopt};
  if (poss_dup)
    h.orig_sending_time = resend_msg_.get_utc_timestamp(tag::sending_time).value_or(now.utc);
  fix::writer w(out_);
  w.begin(resend_msg_.msg_type(), h);
  for (const fix::field& f : resend_msg_.fields()) {
    if (!is_envelope_tag(f.tag)) w.field(f.tag, f.value);
  }
  if (w.finish()) {
    heartbeat_.sent(now.steady);
    if (poss_dup) ++counters_.resent;
  }
}

bool acceptor_session::send_duplicate(const session_time& now) {
  if (last_app_seq_ == 0 || phase_ != phase::active || !transport_) return false;
  resend_buffer_.clear();
  store_.load(last_app_seq_, last_app_seq_, resend_buffer_);
  if (resend_buffer_.empty()) return false;
  const fix::stored_message original = resend_buffer_.front();
  // 1. The same message again under its own number, PossDupFlag=Y.
  resend_one(original, true, now);
  if (resend_msg_.parse(original.raw))
    handler_.on_duplicate_sent(*this, resend_msg_, original.seq, true, false);
  // 2. The same content under a new number, PossResend=Y.
  if (!resend_msg_.parse(original.raw)) return true;
  const std::uint64_t seq = next_out_;
  const bool live = is_live();
  std::string& target = live ? out_ : scratch_;
  if (!live) scratch_.clear();
  fix::writer w(target);
  w.begin(resend_msg_.msg_type(),
          fix::header_fields{comp_id_, counterparty_, seq, now.utc, false, true, std::nullopt});
  for (const fix::field& f : resend_msg_.fields()) {
    if (!is_envelope_tag(f.tag)) w.field(f.tag, f.value);
  }
  if (commit_application(w, live, true, now) == 0) return true;
  // commit may already have handed the output to the transport: read the copy back.
  resend_buffer_.clear();
  store_.load(seq, seq, resend_buffer_);
  if (!resend_buffer_.empty() && resend_msg_.parse(resend_buffer_.front().raw)) {
    handler_.on_duplicate_sent(*this, resend_msg_, seq, false, true);
  }
  wake();
  return true;
}

void acceptor_session::send_sequence_reset(std::uint64_t jump, const session_time& now) {
  // SequenceReset-Reset: the numbers skipped carry no message (a resend gap-fills them).
  fix::writer w(out_);
  begin_admin(w, msg_type::sequence_reset, now);
  w.field_uint(tag::new_seq_no, next_out_ + jump);
  if (w.finish()) {
    next_out_ += jump;
    heartbeat_.sent(now.steady);
  }
  wake();
}

void acceptor_session::write_raw(std::string_view bytes) {
  out_.append(bytes);
  wake();
}

bool acceptor_session::half_open(std::chrono::milliseconds d) {
  if (!transport_) return false;
  transport_->half_open(d);
  return true;
}

}  // namespace irra::sim
