#pragma once
// Builds FIX 4.4 messages by appending to a caller-owned std::string (which may already
// hold earlier messages waiting to be sent). finish() fills BodyLength (9) and appends
// CheckSum (10). A value that would corrupt the framing (empty, or containing SOH) makes
// the whole message fail: finish() then returns false and removes the partial message,
// so text from outside can never inject fields. Not thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "irra/fix/numbers.hpp"

namespace irra::fix {

struct header_fields {
  std::string_view sender_comp_id;
  std::string_view target_comp_id;
  std::uint64_t msg_seq_num = 0;
  utc_timestamp sending_time{};
  bool poss_dup = false;                           // 43=Y: a resend of this very message
  bool poss_resend = false;                        // 97=Y: same content under a new sequence number
  std::optional<utc_timestamp> orig_sending_time;  // 122, required with 43=Y
};

class writer {
 public:
  explicit writer(std::string& out) : out_(out) {}

  // Starts a message: 8, 9 (placeholder), 35, 49, 56, 34, 52, then 43/97/122 when set.
  void begin(std::string_view msg_type, const header_fields& header);
  void begin(std::string_view msg_type, std::string_view sender, std::string_view target,
             std::uint64_t seq, utc_timestamp sending_time);

  writer& field(int tag, std::string_view value);
  writer& field_char(int tag, char value);
  writer& field_int(int tag, std::int64_t value);
  writer& field_uint(int tag, std::uint64_t value);
  writer& field_price(int tag, std::int64_t paise);  // as decimal rupees, two decimals
  writer& field_time(int tag, utc_timestamp value);  // UTCTimestamp, milliseconds
  writer& field_flag(int tag, bool value);           // Y / N
  // Already-encoded "tag=value<SOH>..." bytes (used to re-send a stored message's body).
  writer& raw_fields(std::string_view encoded);

  // Completes the message. False (and the partial message removed) if a value was
  // invalid or the message exceeds max_message_size.
  [[nodiscard]] bool finish();

  // Drops the message begun by begin() and not yet finished.
  void abort();

  // The message most recently completed by finish() (while `out` still holds it).
  std::string_view last_message() const;

 private:
  void tag_eq(int tag);

  std::string& out_;
  std::size_t start_ = 0;
  std::size_t length_pos_ = 0;
  std::size_t body_start_ = 0;
  std::size_t last_start_ = 0;
  std::size_t last_size_ = 0;
  bool open_ = false;
  bool failed_ = false;
};

}  // namespace irra::fix
