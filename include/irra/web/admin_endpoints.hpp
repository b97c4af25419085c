// The admin terminal's endpoints as data (docs/admin-api.md): for each method + path pattern
// under /api/v1/admin, the least role a staff session needs and whether the call changes
// state (then X-CSRF-Token is required). AdminApi registers its routes only through
// add_admin_routes(), which refuses a handler without a table entry and an entry without a
// handler, so the table is the one place where access is decided.
//
// Thread rule: the table is immutable; every function is pure and safe from any thread.
// add_admin_routes() has the Router's own rule (before the server starts).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "irra/http/router.hpp"
#include "irra/staff/role.hpp"

namespace irra::web {

struct AdminEndpoint {
  http::Verb verb;
  std::string_view pattern;
  staff::Role need;     // the least role allowed (with a staff session)
  bool state_changing;  // X-CSRF-Token required (login is the one POST without it)
  // False for login and logout, which do their own checks: login needs no session, logout
  // answers 204 without one and checks the CSRF token when there is one.
  bool staff_session = true;
};

// Every endpoint, in registration order.
const std::vector<AdminEndpoint>& admin_endpoints();
// The entry for exactly this method and pattern; nullptr when there is none.
const AdminEndpoint* find_admin_endpoint(http::Verb verb, std::string_view pattern);

// True for /api/v1/admin and /admin and everything below them: what admin.allow_from guards.
bool is_admin_path(std::string_view path);

// What the staff routes decide before their handler, in this order: no valid session (401
// unauthorized), a state-changing call without the right X-CSRF-Token (403 csrf), a role
// below the endpoint's (403 forbidden).
enum class AdminAccess { allowed, unauthorized, csrf, forbidden };
AdminAccess admin_access(const AdminEndpoint& endpoint, std::optional<staff::Role> session_role,
                         bool csrf_ok);

// Handlers by (method, pattern).
using AdminHandlers = std::map<std::pair<http::Verb, std::string>, http::Router::AsyncHandler>;
// Adds one route per table entry, in table order, with its handler from `handlers`. Throws
// std::logic_error (before adding anything) when an entry has no handler or a handler has
// no entry.
void add_admin_routes(http::Router& router, AdminHandlers handlers);

}  // namespace irra::web
