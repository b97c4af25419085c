#include "irra/fix/writer.hpp"

#include <cassert>

#include "irra/fix/parser.hpp"
#include "irra/fix/tags.hpp"

namespace irra::fix {
namespace {

// Room left for BodyLength digits; max_message_size needs at most five.
constexpr std::size_t length_width = 5;

std::size_t digit_count(std::size_t v) {
  std::size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

}  // namespace

void writer::begin(std::string_view msg_type, const header_fields& h) {
  assert(!open_ && "begin() without finish()");
  open_ = true;
  failed_ = false;
  start_ = out_.size();
  out_ +=
      "8=FIX.4.4\x01"
      "9=";
  length_pos_ = out_.size();
  out_.append(length_width, '0');
  out_ += soh;
  body_start_ = out_.size();
  field(tag::msg_type, msg_type);
  field(tag::sender_comp_id, h.sender_comp_id);
  field(tag::target_comp_id, h.target_comp_id);
  field_uint(tag::msg_seq_num, h.msg_seq_num);
  field_time(tag::sending_time, h.sending_time);
  if (h.poss_dup) field_flag(tag::poss_dup_flag, true);
  if (h.poss_resend) field_flag(tag::poss_resend, true);
  if (h.orig_sending_time) field_time(tag::orig_sending_time, *h.orig_sending_time);
}

void writer::begin(std::string_view msg_type, std::string_view sender, std::string_view target,
                   std::uint64_t seq, utc_timestamp sending_time) {
  begin(msg_type, header_fields{sender, target, seq, sending_time, false, false, std::nullopt});
}

void writer::tag_eq(int tag) {
  append_int(out_, tag);
  out_ += '=';
}

writer& writer::field(int tag, std::string_view value) {
  if (value.empty() || value.find(soh) != std::string_view::npos) failed_ = true;
  tag_eq(tag);
  out_ += value;
  out_ += soh;
  return *this;
}

writer& writer::field_char(int tag, char value) {
  return field(tag, std::string_view(&value, 1));
}

writer& writer::field_int(int tag, std::int64_t value) {
  tag_eq(tag);
  append_int(out_, value);
  out_ += soh;
  return *this;
}

writer& writer::field_uint(int tag, std::uint64_t value) {
  tag_eq(tag);
  append_uint(out_, value);
  out_ += soh;
  return *this;
}

writer& writer::field_price(int tag, std::int64_t paise) {
  tag_eq(tag);
  append_price(out_, paise);
  out_ += soh;
  return *this;
}

writer& writer::field_time(int tag, utc_timestamp value) {
  tag_eq(tag);
  append_utc_timestamp(out_, value);
  out_ += soh;
  return *this;
}

writer& writer::field_flag(int tag, bool value) {
  return field(tag, value ? "Y" : "N");
}

writer& writer::raw_fields(std::string_view encoded) {
  if (!encoded.empty() && encoded.back() != soh) failed_ = true;
  out_ += encoded;
  return *this;
}

bool writer::finish() {
  assert(open_ && "finish() without begin()");
  open_ = false;
  const std::size_t body_length = out_.size() - body_start_;
  const std::size_t digits = digit_count(body_length);
  if (failed_ || digits > length_width ||
      out_.size() - start_ - (length_width - digits) + 7 > max_message_size) {
    out_.resize(start_);
    return false;
  }
  // Right-size the BodyLength placeholder, then write the digits into it.
  out_.erase(length_pos_ + digits, length_width - digits);
  std::size_t v = body_length;
  for (std::size_t i = digits; i-- > 0;) {
    out_[length_pos_ + i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  const std::uint32_t sum = checksum(std::string_view(out_).substr(start_));
  const char trailer[7] = {'1',
                           '0',
                           '=',
                           static_cast<char>('0' + sum / 100),
                           static_cast<char>('0' + sum / 10 % 10),
                           static_cast<char>('0' + sum % 10),
                           soh};
  out_.append(trailer, sizeof trailer);
  last_start_ = start_;
  last_size_ = out_.size() - start_;
  return true;
}

void writer::abort() {
  assert(open_ && "abort() without begin()");
  open_ = false;
  out_.resize(start_);
}

std::string_view writer::last_message() const {
  return std::string_view(out_).substr(last_start_, last_size_);
}

}  // namespace irra::fix
