#pragma once
// Framing of FIX 4.4 messages on a receive buffer. frame() looks at the bytes received so
// far and says, in O(1) plus one checksum pass, whether they start with one complete,
// well-formed message. It never copies and never allocates. A message whose BodyLength
// or CheckSum is wrong is "garbled" in the FIX sense: the caller skips it without
// rejecting it and without consuming a sequence number.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace irra::fix {

// Messages larger than this are refused (the parser is bounded).
inline constexpr std::size_t max_message_size = 64 * 1024;

enum class frame_status : std::uint8_t { complete, need_more, garbage };

enum class garbage_reason : std::uint8_t {
  none,
  bad_begin_string,  // not "8=FIX.4.4<SOH>" at the start
  bad_body_length,   // "9=" missing, not digits, or too large
  bad_trailer,       // no "10=NNN<SOH>" where BodyLength says it ends
  bad_checksum,      // trailer present but the sum does not match
};

std::string_view to_string(garbage_reason r) noexcept;

struct frame_result {
  frame_status status = frame_status::need_more;
  // complete: the whole message including "8=" and the trailer; a view into the buffer.
  std::string_view message;
  // complete: message.size(); garbage: bytes to drop before the next plausible "8=FIX".
  std::size_t consumed = 0;
  garbage_reason reason = garbage_reason::none;
};

// Looks for one message at the very start of `received`.
frame_result frame(std::string_view received) noexcept;

// Sum of the bytes modulo 256, as CheckSum (10) defines it.
std::uint32_t checksum(std::string_view bytes) noexcept;

}  // namespace irra::fix
