#pragma once
// A parsed FIX message as views into the receive buffer: no field is copied. One
// `message` object is meant to be reused for every inbound message of a session (its
// storage is kept between parses), so parsing allocates nothing in the steady state.
// Not thread-safe; the views are valid as long as the buffer given to parse() is.
//
// parse() records the first structural problem as a session_reject_reason (373) with the
// offending tag (371), ready for a session-level Reject, and still indexes every
// well-formed field so that MsgSeqNum can be read for RefSeqNum (45).

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "irra/fix/numbers.hpp"
#include "irra/fix/tags.hpp"

namespace irra::fix {

struct field {
  int tag = 0;
  std::string_view value;
};

struct parse_error {
  session_reject_reason reason = session_reject_reason::other;
  int ref_tag = 0;  // 0 when the tag itself could not be read
  std::string_view text;
};

// One instance of a repeating group: its fields in wire order.
class group_instance {
 public:
  explicit group_instance(std::span<const field> fields) : fields_(fields) {}
  std::optional<std::string_view> get(int tag) const;
  std::span<const field> fields() const { return fields_; }

 private:
  std::span<const field> fields_;
};

// The instances of one repeating group, in order. Empty when the group is absent.
class group_view {
 public:
  group_view() = default;
  group_view(std::span<const field> fields, std::span<const std::uint32_t> starts)
      : fields_(fields), starts_(starts) {}
  std::size_t size() const { return starts_.size(); }
  bool empty() const { return starts_.empty(); }
  group_instance operator[](std::size_t i) const;

 private:
  std::span<const field> fields_;          // all fields of the group, after the count field
  std::span<const std::uint32_t> starts_;  // offsets into fields_ where instances start
};

class message {
 public:
  message();

  // Parses a message framed by frame(). Returns false if a field is malformed, a tag is
  // repeated outside a repeating group, or a group is inconsistent; error() says which.
  bool parse(std::string_view framed);
  // The fields would be views into a temporary: refuse at compile time.
  bool parse(std::string&&) = delete;

  const std::optional<parse_error>& error() const { return error_; }
  std::string_view raw() const { return raw_; }
  std::string_view msg_type() const { return msg_type_; }
  // All fields in wire order, including 8, 9 and 10.
  std::span<const field> fields() const { return fields_; }

  // The first top-level occurrence of `tag` (fields inside repeating groups are reached
  // through group()).
  std::optional<std::string_view> get(int tag) const;
  bool has(int tag) const { return get(tag).has_value(); }
  std::optional<std::uint64_t> get_uint(int tag) const;
  std::optional<std::int64_t> get_int(int tag) const;
  std::optional<std::int64_t> get_price_paise(int tag) const;
  std::optional<std::int64_t> get_qty(int tag) const;
  std::optional<utc_timestamp> get_utc_timestamp(int tag) const;
  // "Y" is true; absent or anything else is false.
  bool get_flag(int tag) const;
  // MsgSeqNum (34), or 0 when absent or not a number.
  std::uint64_t seq_num() const;

  // The repeating group introduced by NumInGroup tag `count_tag` (146, 267, 268, ...).
  group_view group(int count_tag) const;

 private:
  struct group_span {
    int count_tag;
    std::uint32_t first_field;  // index in fields_ of the first field after the count
    std::uint32_t end_field;    // one past the last field of the group
    std::uint32_t first_start;  // index in starts_
    std::uint32_t start_count;
  };
  static constexpr int indexed_tags = 1024;  // tags below this are found in O(1)

  void fail(session_reject_reason reason, int ref_tag, std::string_view text);
  void index_top_level(int tag, std::uint32_t pos);

  std::string_view raw_;
  std::string_view msg_type_;
  std::vector<field> fields_;
  std::vector<std::uint32_t> starts_;
  std::vector<group_span> groups_;
  std::vector<std::uint32_t> high_tags_;  // positions of top-level fields with tag >= 1024
  std::optional<parse_error> error_;
  // index_pos_[tag] is valid only when index_gen_[tag] == generation_, so a new parse
  // does not have to clear the table.
  std::uint32_t generation_ = 0;
  std::array<std::uint32_t, indexed_tags> index_gen_{};
  std::array<std::uint32_t, indexed_tags> index_pos_{};
};

}  // namespace irra::fix
