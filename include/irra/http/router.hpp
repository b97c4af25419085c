// Maps method + path pattern to a handler. Patterns are literal segments and "{name}"
// parameters: "/api/v1/orders/{order_id}/cancel". A path that matches a pattern but not
// its method gets 405 with Allow; an unknown /api/ path gets 404 JSON; anything else goes
// to the fallback (static files) or 404.
//
// Thread rule: add routes on one thread before the server starts; afterwards the router
// is read-only and dispatch() may run concurrently on any number of threads.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "irra/http/request.hpp"
#include "irra/http/responder.hpp"
#include "irra/http/response.hpp"

namespace irra::http {

using Verb = boost::beast::http::verb;

class Router {
 public:
  // Answers later through the Responder (database write, another strand...).
  using AsyncHandler = std::function<void(const Request&, Responder)>;
  // Answers at once.
  using SyncHandler = std::function<Response(const Request&)>;
  // Runs before routing; a response it returns is sent instead (e.g. admin allow_from).
  using Guard = std::function<std::optional<Response>(const Request&)>;

  // Throws std::invalid_argument for a malformed or duplicate (method, pattern).
  void add(Verb method, std::string_view pattern, SyncHandler handler);
  void add_async(Verb method, std::string_view pattern, AsyncHandler handler);
  // Handles what no route matches outside /api/ (GET/HEAD: static files).
  void set_fallback(AsyncHandler handler);
  void add_guard(Guard guard);

  // Routes request and answers through responder exactly once. Fills request's route
  // and path parameters. HEAD is served by the GET route (the session drops the body).
  // A handler that throws gets 500 (logged).
  void dispatch(Request& request, Responder responder) const;

 private:
  struct Segment {
    std::string text;
    bool is_param = false;
  };
  struct Route {
    Verb method;
    AsyncHandler handler;
  };
  struct Pattern {
    std::string text;
    std::vector<Segment> segments;
    std::vector<Route> routes;
  };

  Pattern& pattern_for(std::string_view pattern);
  static bool match(const Pattern& pattern, std::string_view path, PathParams& params);
  static std::string allow_header(const Pattern& pattern);

  std::vector<Pattern> patterns_;
  std::vector<Guard> guards_;
  AsyncHandler fallback_;
};

}  // namespace irra::http
