#include "irra/fix/parser.hpp"

#include <algorithm>
#include <cstring>

namespace irra::fix {
namespace {

constexpr std::string_view begin_prefix =
    "8=FIX.4.4\x01"
    "9=";
constexpr std::size_t begin_string_size = 10;  // "8=FIX.4.4<SOH>"
constexpr std::string_view resync_marker = "8=FIX";
// BodyLength of at most max_message_size has at most this many digits.
constexpr std::size_t max_length_digits = 5;
constexpr std::size_t trailer_size = 7;  // "10=NNN<SOH>"

// Bytes to skip so that the buffer starts at the next "8=FIX" after position 0. When none
// is found, keep a tail that could be the start of one still arriving.
std::size_t skip_to_next_start(std::string_view buf) noexcept {
  const auto next = buf.find(resync_marker, 1);
  if (next != std::string_view::npos) return next;
  std::size_t keep = std::min(buf.size() - 1, resync_marker.size() - 1);
  while (keep > 0 && buf.substr(buf.size() - keep) != resync_marker.substr(0, keep)) --keep;
  return buf.size() - keep;
}

frame_result garbage(std::string_view buf, garbage_reason why) noexcept {
  return {frame_status::garbage, {}, skip_to_next_start(buf), why};
}

}  // namespace

std::string_view to_string(garbage_reason r) noexcept {
  switch (r) {
    case garbage_reason::none:
      return "none";
    case garbage_reason::bad_begin_string:
      return "bad BeginString";
    case garbage_reason::bad_body_length:
      return "bad BodyLength";
    case garbage_reason::bad_trailer:
      return "no CheckSum where BodyLength ends";
    case garbage_reason::bad_checksum:
      return "CheckSum mismatch";
  }
  return "unknown";
}

std::uint32_t checksum(std::string_view bytes) noexcept {
  // Eight bytes at a time: split each word into four 16-bit lanes of byte pairs and add
  // lanes; a lane takes at most 510 per word, so 128 words fit before it must be folded.
  constexpr std::uint64_t low_bytes = 0x00FF00FF00FF00FFull;
  std::uint64_t total = 0;
  std::size_t i = 0;
  while (bytes.size() - i >= 8) {
    std::uint64_t lanes = 0;
    for (int words = 0; words < 128 && bytes.size() - i >= 8; ++words, i += 8) {
      std::uint64_t w;
      std::memcpy(&w, bytes.data() + i, 8);
      lanes += (w & low_bytes) + ((w >> 8) & low_bytes);
    }
    total += (lanes & 0xFFFF) + ((lanes >> 16) & 0xFFFF) + ((lanes >> 32) & 0xFFFF) + (lanes >> 48);
  }
  for (; i < bytes.size(); ++i) total += static_cast<unsigned char>(bytes[i]);
  return static_cast<std::uint32_t>(total & 0xFFu);
}

frame_result frame(std::string_view buf) noexcept {
  if (buf.empty()) return {};
  // "8=FIX.4.4<SOH>" then "9=": compare what has arrived of each.
  const std::size_t prefix = std::min(buf.size(), begin_prefix.size());
  const std::size_t begin_string = std::min(prefix, begin_string_size);
  if (buf.substr(0, begin_string) != begin_prefix.substr(0, begin_string)) {
    return garbage(buf, garbage_reason::bad_begin_string);
  }
  if (buf.substr(0, prefix) != begin_prefix.substr(0, prefix)) {
    return garbage(buf, garbage_reason::bad_body_length);
  }
  if (buf.size() <= begin_prefix.size()) return {};

  // BodyLength digits, terminated by SOH.
  std::size_t pos = begin_prefix.size();
  std::size_t body_length = 0;
  std::size_t digits = 0;
  while (pos < buf.size() && buf[pos] >= '0' && buf[pos] <= '9') {
    if (++digits > max_length_digits) return garbage(buf, garbage_reason::bad_body_length);
    body_length = body_length * 10 + static_cast<std::size_t>(buf[pos] - '0');
    ++pos;
  }
  if (pos == buf.size()) return {};
  if (digits == 0 || buf[pos] != '\x01') return garbage(buf, garbage_reason::bad_body_length);
  const std::size_t body_start = pos + 1;
  const std::size_t total = body_start + body_length + trailer_size;
  if (total > max_message_size) return garbage(buf, garbage_reason::bad_body_length);
  if (buf.size() < total) return {};

  // The trailer must sit exactly where BodyLength says the body ends, after an SOH.
  const std::size_t trailer = body_start + body_length;
  const char* t = buf.data() + trailer;
  if (body_length == 0 || buf[trailer - 1] != '\x01' || t[0] != '1' || t[1] != '0' || t[2] != '=' ||
      t[6] != '\x01') {
    return garbage(buf, garbage_reason::bad_trailer);
  }
  std::uint32_t declared = 0;
  for (int i = 3; i < 6; ++i) {
    if (t[i] < '0' || t[i] > '9') return garbage(buf, garbage_reason::bad_trailer);
    declared = declared * 10 + static_cast<std::uint32_t>(t[i] - '0');
  }
  if (checksum(buf.substr(0, trailer)) != declared) {
    return garbage(buf, garbage_reason::bad_checksum);
  }
  return {frame_status::complete, buf.substr(0, total), total, garbage_reason::none};
}

}  // namespace irra::fix
