#include "irra/staff/role.hpp"

namespace irra::staff {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::viewer:
      return "viewer";
    case Role::dealer:
      return "dealer";
    case Role::supervisor:
      return "supervisor";
    case Role::admin:
      return "admin";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view text) {
  for (const Role r : {Role::viewer, Role::dealer, Role::supervisor, Role::admin}) {
    if (text == to_string(r)) return r;
  }
  return std::nullopt;
}

}  // namespace irra::staff
