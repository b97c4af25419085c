#include "irra/web/admin_endpoints.hpp"

#include <stdexcept>

namespace irra::web {

using http::Verb;
using staff::Role;

const std::vector<AdminEndpoint>& admin_endpoints() {
  static const std::vector<AdminEndpoint> table{
      // verb, pattern, least role, state-changing, staff session checked by the route
      {Verb::post, "/api/v1/admin/auth/login", Role::viewer, false, false},
      {Verb::post, "/api/v1/admin/auth/logout", Role::viewer, true, false},
      {Verb::get, "/api/v1/admin/session", Role::viewer, false},
      {Verb::get, "/api/v1/admin/overview", Role::viewer, false},
      {Verb::get, "/api/v1/admin/clients", Role::viewer, false},
      {Verb::get, "/api/v1/admin/clients/{ucc}", Role::viewer, false},
      {Verb::get, "/api/v1/admin/clients/{ucc}/positions", Role::viewer, false},
      {Verb::get, "/api/v1/admin/clients/{ucc}/orders", Role::viewer, false},
      {Verb::get, "/api/v1/admin/clients/{ucc}/trades", Role::viewer, false},
      {Verb::get, "/api/v1/admin/clients/{ucc}/holdings", Role::viewer, false},
      {Verb::get, "/api/v1/admin/clients/{ucc}/funds", Role::viewer, false},
      {Verb::post, "/api/v1/admin/clients/{ucc}/square-off", Role::dealer, true},
      {Verb::post, "/api/v1/admin/clients/{ucc}/square-off-all", Role::dealer, true},
      {Verb::post, "/api/v1/admin/clients/{ucc}/orders/{order_id}/cancel", Role::dealer, true},
      {Verb::post, "/api/v1/admin/bulk/square-off", Role::supervisor, true},
      {Verb::get, "/api/v1/admin/jobs", Role::viewer, false},
      {Verb::get, "/api/v1/admin/jobs/{job_id}", Role::viewer, false},
      {Verb::post, "/api/v1/admin/jobs/{job_id}/cancel", Role::supervisor, true},
      {Verb::post, "/api/v1/admin/mode", Role::supervisor, true},
      {Verb::get, "/api/v1/admin/audit", Role::viewer, false},
      {Verb::get, "/api/v1/admin/audit.csv", Role::viewer, false},
      {Verb::get, "/api/v1/admin/stream", Role::viewer, false},
  };
  return table;
}

const AdminEndpoint* find_admin_endpoint(Verb verb, std::string_view pattern) {
  for (const auto& e : admin_endpoints()) {
    if (e.verb == verb && e.pattern == pattern) return &e;
  }
  return nullptr;
}

bool is_admin_path(std::string_view path) {
  const auto under = [&](std::string_view prefix) {
    return path.size() >= prefix.size() && path.substr(0, prefix.size()) == prefix &&
           (path.size() == prefix.size() || path[prefix.size()] == '/');
  };
  return under("/api/v1/admin") || under("/admin");
}

AdminAccess admin_access(const AdminEndpoint& endpoint, std::optional<Role> session_role,
                         bool csrf_ok) {
  if (!session_role) return AdminAccess::unauthorized;
  if (endpoint.state_changing && !csrf_ok) return AdminAccess::csrf;
  if (!staff::allows(*session_role, endpoint.need)) return AdminAccess::forbidden;
  return AdminAccess::allowed;
}

void add_admin_routes(http::Router& router, AdminHandlers handlers) {
  const auto name = [](Verb verb, std::string_view pattern) {
    return std::string(boost::beast::http::to_string(verb)) + " " + std::string(pattern);
  };
  for (const auto& e : admin_endpoints()) {
    const auto it = handlers.find({e.verb, std::string(e.pattern)});
    if (it == handlers.end() || !it->second) {
      throw std::logic_error("admin endpoint without a handler: " + name(e.verb, e.pattern));
    }
  }
  for (const auto& [key, handler] : handlers) {
    if (!find_admin_endpoint(key.first, key.second)) {
      throw std::logic_error("admin handler without a table entry: " + name(key.first, key.second));
    }
  }
  for (const auto& e : admin_endpoints()) {
    auto node = handlers.extract({e.verb, std::string(e.pattern)});
    router.add_async(e.verb, e.pattern, std::move(node.mapped()));
  }
}

}  // namespace irra::web
