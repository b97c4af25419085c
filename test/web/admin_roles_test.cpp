// The admin terminal's access table (admin_endpoints.hpp): each role x each endpoint against
// an expected matrix written out here, CSRF on every state-changing call, and the table
// against the routes a Router actually gets from add_admin_routes().
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include "irra/http/responder.hpp"
#include "irra/http/router.hpp"
#include "irra/web/admin_endpoints.hpp"

namespace {

using irra::http::Verb;
using irra::staff::Role;
using irra::web::AdminAccess;
using irra::web::AdminEndpoint;
using irra::web::admin_endpoints;

constexpr Role roles[] = {Role::viewer, Role::dealer, Role::supervisor, Role::admin};

// What each role may call: V = viewer and above, D = dealer and above, S = supervisor and
// above; "-" = no staff session needed (login, logout: their own checks).
struct Expected {
  Verb verb;
  const char* pattern;
  char least;
};

const Expected expected[] = {
    {Verb::post, "/api/v1/admin/auth/login", '-'},
    {Verb::post, "/api/v1/admin/auth/logout", '-'},
    {Verb::get, "/api/v1/admin/session", 'V'},
    {Verb::get, "/api/v1/admin/overview", 'V'},
    {Verb::get, "/api/v1/admin/clients", 'V'},
    {Verb::get, "/api/v1/admin/clients/{ucc}", 'V'},
    {Verb::get, "/api/v1/admin/clients/{ucc}/positions", 'V'},
    {Verb::get, "/api/v1/admin/clients/{ucc}/orders", 'V'},
    {Verb::get, "/api/v1/admin/clients/{ucc}/trades", 'V'},
    {Verb::get, "/api/v1/admin/clients/{ucc}/holdings", 'V'},
    {Verb::get, "/api/v1/admin/clients/{ucc}/funds", 'V'},
    {Verb::post, "/api/v1/admin/clients/{ucc}/square-off", 'D'},
    {Verb::post, "/api/v1/admin/clients/{ucc}/square-off-all", 'D'},
    {Verb::post, "/api/v1/admin/clients/{ucc}/orders/{order_id}/cancel", 'D'},
    {Verb::post, "/api/v1/admin/bulk/square-off", 'S'},
    {Verb::get, "/api/v1/admin/jobs", 'V'},
    {Verb::get, "/api/v1/admin/jobs/{job_id}", 'V'},
    {Verb::post, "/api/v1/admin/jobs/{job_id}/cancel", 'S'},
    {Verb::post, "/api/v1/admin/mode", 'S'},
    {Verb::get, "/api/v1/admin/audit", 'V'},
    {Verb::get, "/api/v1/admin/audit.csv", 'V'},
    {Verb::get, "/api/v1/admin/stream", 'V'},
};

bool may(Role role, char least) {
  switch (least) {
    case 'V':
      return true;
    case 'D':
      return role != Role::viewer;
    case 'S':
      return role == Role::supervisor || role == Role::admin;
  }
  FAIL("unknown role letter " << least);
  return false;
}

std::string name(Verb verb, std::string_view pattern) {
  return std::string(boost::beast::http::to_string(verb)) + " " + std::string(pattern);
}

// A concrete path for a pattern: every {param} becomes "X1".
std::string concrete(std::string_view pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      out += "X1";
      i = pattern.find('}', i);
    } else {
      out += pattern[i];
    }
  }
  return out;
}

struct Capture : irra::http::ResponseSink {
  std::optional<irra::http::Response> response;
  void deliver(irra::http::Response&& r) override { response = std::move(r); }
  std::shared_ptr<irra::http::EventStream> start_stream(irra::http::Response&& head) override {
    response = std::move(head);
    return nullptr;
  }
};

// Stub handlers that answer 200 with their own "VERB pattern" as the body.
irra::web::AdminHandlers stub_handlers() {
  irra::web::AdminHandlers h;
  for (const auto& e : admin_endpoints()) {
    const auto label = name(e.verb, e.pattern);
    h[{e.verb, std::string(e.pattern)}] = [label](const irra::http::Request&,
                                                  irra::http::Responder out) {
      irra::http::Response res{irra::http::Status::ok, 11};
      res.body() = label;
      out.send(std::move(res));
    };
  }
  return h;
}

irra::http::Response dispatch(const irra::http::Router& router, Verb verb, const std::string& path) {
  irra::http::Message msg{verb, path, 11};
  irra::http::Request req(msg, {});
  auto sink = std::make_shared<Capture>();
  router.dispatch(req, irra::http::Responder(sink));
  REQUIRE(sink->response);
  return std::move(*sink->response);
}

}  // namespace

TEST_CASE("admin endpoints: the table is exactly the expected list") {
  const auto& table = admin_endpoints();
  REQUIRE(table.size() == std::size(expected));
  for (std::size_t i = 0; i < table.size(); ++i) {
    INFO(name(expected[i].verb, expected[i].pattern));
    CHECK(table[i].verb == expected[i].verb);
    CHECK(table[i].pattern == expected[i].pattern);
    CHECK(table[i].staff_session == (expected[i].least != '-'));
    CHECK(irra::web::is_admin_path(table[i].pattern));
  }
  std::set<std::string> seen;
  for (const auto& e : table) CHECK(seen.insert(name(e.verb, e.pattern)).second);
}

TEST_CASE("admin endpoints: each role x each endpoint, allowed or 403") {
  for (const auto& x : expected) {
    if (x.least == '-') continue;
    const AdminEndpoint* e = irra::web::find_admin_endpoint(x.verb, x.pattern);
    REQUIRE(e != nullptr);
    for (const Role role : roles) {
      INFO(name(x.verb, x.pattern) << " as " << irra::staff::to_string(role));
      const auto got = irra::web::admin_access(*e, role, true);
      CHECK(got == (may(role, x.least) ? AdminAccess::allowed : AdminAccess::forbidden));
    }
    // No session at all: 401 whatever else.
    CHECK(irra::web::admin_access(*e, std::nullopt, true) == AdminAccess::unauthorized);
    CHECK(irra::web::admin_access(*e, std::nullopt, false) == AdminAccess::unauthorized);
  }
}

TEST_CASE("admin endpoints: every state-changing call needs CSRF, login excepted") {
  for (const auto& e : admin_endpoints()) {
    INFO(name(e.verb, e.pattern));
    const bool is_login = e.pattern == "/api/v1/admin/auth/login";
    CHECK(e.state_changing == (e.verb == Verb::post && !is_login));
    if (!e.staff_session) continue;  // logout checks the token itself when there is a session
    for (const Role role : roles) {
      const auto without = irra::web::admin_access(e, role, false);
      if (e.state_changing) {
        CHECK(without == AdminAccess::csrf);  // before the role: no hint about the role
      } else {
        CHECK(without == irra::web::admin_access(e, role, true));
      }
    }
  }
}

TEST_CASE("admin endpoints: add_admin_routes registers exactly the table") {
  irra::http::Router router;
  irra::web::add_admin_routes(router, stub_handlers());
  for (const auto& e : admin_endpoints()) {
    const auto path = concrete(e.pattern);
    INFO(name(e.verb, e.pattern) << " via " << path);
    const auto res = dispatch(router, e.verb, path);
    CHECK(res.result() == irra::http::Status::ok);
    CHECK(res.body() == name(e.verb, e.pattern));
    // The other method on the same path is not a route of its own.
    const Verb other = e.verb == Verb::get ? Verb::post : Verb::get;
    if (!irra::web::find_admin_endpoint(other, e.pattern)) {
      CHECK(dispatch(router, other, path).result() == irra::http::Status::method_not_allowed);
    }
  }
  // Nothing else under /api/v1/admin.
  CHECK(dispatch(router, Verb::get, "/api/v1/admin/staff").result() == irra::http::Status::not_found);
  CHECK(dispatch(router, Verb::post, "/api/v1/admin/clients/X1/buy").result() ==
        irra::http::Status::not_found);
}

TEST_CASE("admin endpoints: a handler without an entry or an entry without a handler is refused") {
  SECTION("missing handler") {
    auto h = stub_handlers();
    h.erase({Verb::post, "/api/v1/admin/mode"});
    irra::http::Router router;
    CHECK_THROWS_AS(irra::web::add_admin_routes(router, std::move(h)), std::logic_error);
    // Nothing was added.
    CHECK(dispatch(router, Verb::get, "/api/v1/admin/session").result() ==
          irra::http::Status::not_found);
  }
  SECTION("extra handler") {
    auto h = stub_handlers();
    h[{Verb::post, "/api/v1/admin/staff/add"}] = [](const irra::http::Request&,
                                                    irra::http::Responder) {};
    irra::http::Router router;
    CHECK_THROWS_AS(irra::web::add_admin_routes(router, std::move(h)), std::logic_error);
  }
  SECTION("same pattern, another method") {
    auto h = stub_handlers();
    h[{Verb::get, "/api/v1/admin/mode"}] = [](const irra::http::Request&, irra::http::Responder) {};
    irra::http::Router router;
    CHECK_THROWS_AS(irra::web::add_admin_routes(router, std::move(h)), std::logic_error);
  }
}

TEST_CASE("admin endpoints: the allow_from guard covers the API and the page") {
  CHECK(irra::web::is_admin_path("/api/v1/admin"));
  CHECK(irra::web::is_admin_path("/api/v1/admin/auth/login"));
  CHECK(irra::web::is_admin_path("/admin"));
  CHECK(irra::web::is_admin_path("/admin/"));
  CHECK(irra::web::is_admin_path("/admin/app.js"));
  CHECK_FALSE(irra::web::is_admin_path("/administrator"));
  CHECK_FALSE(irra::web::is_admin_path("/api/v1/administer"));
  CHECK_FALSE(irra::web::is_admin_path("/api/v1/positions"));
  CHECK_FALSE(irra::web::is_admin_path("/"));
}
