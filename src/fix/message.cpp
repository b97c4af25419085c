#include "irra/fix/message.hpp"

namespace irra::fix {
namespace {

// Repeating groups IRRA knows, with the delimiter (first field of each instance) first.
// Nested groups are not supported: IRRA's dialect has none (docs/fix.md).
struct group_def {
  int count_tag;
  std::array<int, 20> members;  // 0-terminated
};

constexpr std::array<group_def, 9> group_defs{{
    {146, {55, 65, 48, 22, 207, 460, 461, 167, 200, 541, 106, 107, 15}},  // NoRelatedSym
    {267, {269}},                                                         // NoMDEntryTypes
    {268,
     {269, 270, 15, 271, 272, 273, 274, 275, 336, 625, 276, 277, 282, 283, 284, 286, 290,
      346}},                           // NoMDEntries
    {453, {448, 447, 452}},            // NoPartyIDs
    {454, {455, 456}},                 // NoSecurityAltID
    {382, {375, 337, 437, 438, 655}},  // NoContraBrokers
    {136, {137, 138, 139, 891}},       // NoMiscFees
    {232, {233, 234}},                 // NoStipulations
    {627, {628, 629, 630}},            // NoHops
}};

// group_slot[tag] is 1 + the index in group_defs of a NumInGroup tag, else 0.
constexpr std::size_t group_table_size = 1024;
constexpr auto group_slot = [] {
  std::array<std::uint8_t, group_table_size> slots{};
  for (std::size_t i = 0; i < group_defs.size(); ++i) {
    slots[static_cast<std::size_t>(group_defs[i].count_tag)] = static_cast<std::uint8_t>(i + 1);
  }
  return slots;
}();

const group_def* find_group_def(int count_tag) {
  if (count_tag < 0 || static_cast<std::size_t>(count_tag) >= group_table_size) return nullptr;
  const auto slot = group_slot[static_cast<std::size_t>(count_tag)];
  return slot == 0 ? nullptr : &group_defs[slot - 1u];
}

// Position of `tag` among the group's members, or -1.
int member_index(const group_def& g, int tag) {
  for (std::size_t i = 0; i < g.members.size() && g.members[i] != 0; ++i) {
    if (g.members[i] == tag) return static_cast<int>(i);
  }
  return -1;
}

constexpr int max_tag_digits = 6;
constexpr std::array<int, 3> header_order{tag::begin_string, tag::body_length, tag::msg_type};

}  // namespace

std::optional<std::string_view> group_instance::get(int tag) const {
  for (const auto& f : fields_) {
    if (f.tag == tag) return f.value;
  }
  return std::nullopt;
}

group_instance group_view::operator[](std::size_t i) const {
  const std::size_t begin = starts_[i];
  const std::size_t end = i + 1 < starts_.size() ? starts_[i + 1] : fields_.size();
  return group_instance{fields_.subspan(begin, end - begin)};
}

message::message() {
  fields_.reserve(64);
  starts_.reserve(16);
}

void message::fail(session_reject_reason reason, int ref_tag, std::string_view text) {
  if (!error_) error_ = parse_error{reason, ref_tag, text};
}

void message::index_top_level(int tag, std::uint32_t pos) {
  if (tag < indexed_tags) {
    const auto t = static_cast<std::size_t>(tag);
    if (index_gen_[t] == generation_) {
      fail(session_reject_reason::tag_appears_more_than_once, tag, "tag appears more than once");
      return;
    }
    index_gen_[t] = generation_;
    index_pos_[t] = pos;
    return;
  }
  for (auto p : high_tags_) {
    if (fields_[p].tag == tag) {
      fail(session_reject_reason::tag_appears_more_than_once, tag, "tag appears more than once");
      return;
    }
  }
  high_tags_.push_back(pos);
}

bool message::parse(std::string_view framed) {
  raw_ = framed;
  msg_type_ = {};
  fields_.clear();
  starts_.clear();
  groups_.clear();
  high_tags_.clear();
  error_.reset();
  if (++generation_ == 0) {  // wrapped: stale stamps could look current
    index_gen_.fill(0);
    generation_ = 1;
  }

  const char* p = framed.data();
  const char* const end = p + framed.size();
  const group_def* open = nullptr;  // the repeating group being read, if any
  std::uint64_t declared = 0;       // its NumInGroup
  std::uint64_t seen = 0;           // members seen in the current instance (bit per member)

  auto close_group = [&] {
    auto& g = groups_.back();
    g.end_field = static_cast<std::uint32_t>(fields_.size());
    if (g.start_count != declared) {
      fail(session_reject_reason::incorrect_num_in_group, g.count_tag,
           "NumInGroup does not match the group");
    }
    open = nullptr;
  };

  while (p < end) {
    int tag = 0;
    const char* q = p;
    while (q < end && *q >= '0' && *q <= '9' && q - p < max_tag_digits) {
      tag = tag * 10 + (*q - '0');
      ++q;
    }
    // A plain loop beats memchr on values this short.
    const char* stop = q;
    while (stop < end && *stop != soh) ++stop;
    if (stop == end) {  // frame() guarantees a final SOH; be safe anyway
      fail(session_reject_reason::other, 0, "field without SOH");
      break;
    }
    if (q == p || q == stop || *q != '=' || *p == '0') {
      fail(session_reject_reason::invalid_tag_number, 0, "malformed tag");
      p = stop + 1;
      continue;
    }
    const std::string_view value(q + 1, static_cast<std::size_t>(stop - q - 1));
    const char* next = stop + 1;
    if (value.empty()) {
      fail(session_reject_reason::tag_without_value, tag, "tag specified without a value");
      p = next;
      continue;
    }
    const auto pos = static_cast<std::uint32_t>(fields_.size());
    fields_.push_back({tag, value});
    p = next;

    if (pos < header_order.size() && tag != header_order[pos]) {
      fail(session_reject_reason::tag_out_of_order, tag, "header out of order");
    }
    if (tag == tag::check_sum && p != end) {
      fail(session_reject_reason::tag_out_of_order, tag, "CheckSum before the end");
    }

    if (open != nullptr) {
      const int m = member_index(*open, tag);
      if (m == 0) {  // delimiter: a new instance starts
        auto& g = groups_.back();
        starts_.push_back(pos - g.first_field);
        ++g.start_count;
        seen = 1;
        continue;
      }
      if (m > 0) {
        if (groups_.back().start_count == 0) {
          fail(session_reject_reason::group_fields_out_of_order, tag,
               "repeating group does not start with its delimiter");
        } else if (seen & (std::uint64_t{1} << m)) {
          fail(session_reject_reason::tag_appears_more_than_once, tag,
               "tag appears more than once in a group instance");
        }
        seen |= std::uint64_t{1} << m;
        continue;
      }
      close_group();
    }

    if (tag < indexed_tags && index_gen_[static_cast<std::size_t>(tag)] != generation_) {
      index_gen_[static_cast<std::size_t>(tag)] = generation_;  // first sighting: fast path
      index_pos_[static_cast<std::size_t>(tag)] = pos;
    } else {
      index_top_level(tag, pos);
    }
    if (const group_def* def = find_group_def(tag)) {
      const auto n = parse_uint(value);
      if (!n) {
        fail(session_reject_reason::incorrect_data_format, tag, "NumInGroup is not a number");
        continue;
      }
      open = def;
      declared = *n;
      seen = 0;
      groups_.push_back({tag, pos + 1, pos + 1, static_cast<std::uint32_t>(starts_.size()), 0});
    }
  }
  if (open != nullptr) close_group();
  if (fields_.size() >= 3 && fields_[2].tag == tag::msg_type) msg_type_ = fields_[2].value;
  return !error_;
}

std::optional<std::string_view> message::get(int tag) const {
  if (tag >= 0 && tag < indexed_tags) {
    const auto t = static_cast<std::size_t>(tag);
    if (index_gen_[t] != generation_) return std::nullopt;
    return fields_[index_pos_[t]].value;
  }
  for (auto p : high_tags_) {
    if (fields_[p].tag == tag) return fields_[p].value;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> message::get_uint(int tag) const {
  const auto v = get(tag);
  return v ? parse_uint(*v) : std::nullopt;
}

std::optional<std::int64_t> message::get_int(int tag) const {
  const auto v = get(tag);
  return v ? parse_int(*v) : std::nullopt;
}

std::optional<std::int64_t> message::get_price_paise(int tag) const {
  const auto v = get(tag);
  return v ? parse_price_paise(*v) : std::nullopt;
}

std::optional<std::int64_t> message::get_qty(int tag) const {
  const auto v = get(tag);
  return v ? parse_qty(*v) : std::nullopt;
}

std::optional<utc_timestamp> message::get_utc_timestamp(int tag) const {
  const auto v = get(tag);
  return v ? parse_utc_timestamp(*v) : std::nullopt;
}

bool message::get_flag(int tag) const {
  return get(tag) == std::optional<std::string_view>("Y");
}

std::uint64_t message::seq_num() const {
  return get_uint(tag::msg_seq_num).value_or(0);
}

group_view message::group(int count_tag) const {
  for (const auto& g : groups_) {
    if (g.count_tag == count_tag) {
      return group_view{
          std::span<const field>(fields_).subspan(g.first_field, g.end_field - g.first_field),
          std::span<const std::uint32_t>(starts_).subspan(g.first_start, g.start_count)};
    }
  }
  return {};
}

}  // namespace irra::fix
