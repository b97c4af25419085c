// Staff roles of the admin terminal, each including the one before (docs/admin-api.md):
// viewer (reads everything) < dealer (acts for a client) < supervisor (bulk square-off,
// job cancel, mode) < admin (staff list).
//
// Thread rule: pure functions, safe from any thread.
#pragma once

#include <optional>
#include <string_view>

namespace irra::staff {

enum class Role { viewer, dealer, supervisor, admin };

// "viewer", "dealer", "supervisor", "admin".
std::string_view to_string(Role role);
// The exact lower-case names above; anything else is nullopt.
std::optional<Role> parse_role(std::string_view text);

// True when a session of role `have` may make a call that needs `need`.
constexpr bool allows(Role have, Role need) {
  return have >= need;
}

}  // namespace irra::staff
