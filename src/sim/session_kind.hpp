// The three sessions the simulated exchange hosts on its one acceptor port.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace irra::sim {

enum class session_kind : std::uint8_t { drop_copy = 0, order_entry = 1, market_data = 2 };

inline constexpr std::array<session_kind, 3> all_session_kinds = {
    session_kind::drop_copy, session_kind::order_entry, session_kind::market_data};

// "dc", "oe", "md": the names the control endpoints and the journal use.
constexpr std::string_view short_name(session_kind k) {
  switch (k) {
    case session_kind::drop_copy:
      return "dc";
    case session_kind::order_entry:
      return "oe";
    case session_kind::market_data:
      return "md";
  }
  return "?";
}

// The TargetCompID the initiator logs on with.
constexpr std::string_view comp_id_of(session_kind k) {
  switch (k) {
    case session_kind::drop_copy:
      return "EXCH-DC";
    case session_kind::order_entry:
      return "EXCH-OE";
    case session_kind::market_data:
      return "EXCH-MD";
  }
  return "?";
}

inline std::optional<session_kind> parse_session_kind(std::string_view name) {
  for (const auto k : all_session_kinds) {
    if (short_name(k) == name) return k;
  }
  return std::nullopt;
}

}  // namespace irra::sim
