// The router on its own: matching, parameters, 404/405, guards, fallback.
#include "irra/http/router.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace irra::http;

namespace {

// Collects the response a dispatch produced.
struct Capture : ResponseSink {
  std::optional<Response> response;
  void deliver(Response&& r) override { response = std::move(r); }
  // No connection to stream on: the head counts as the answer.
  std::shared_ptr<EventStream> start_stream(Response&& head) override {
    response = std::move(head);
    return nullptr;
  }
};

Response dispatch(const Router& router, Verb method, std::string target) {
  Message msg{method, target, 11};
  Request req(msg, {});
  auto sink = std::make_shared<Capture>();
  router.dispatch(req, Responder(sink));
  REQUIRE(sink->response);
  return std::move(*sink->response);
}

std::string error_code(const Response& r) {
  return nlohmann::json::parse(r.body())["error"];
}

}  // namespace

TEST_CASE("the router picks the route whose pattern and method match", "[http][router]") {
  Router router;
  router.add(Verb::post, "/api/v1/orders/{order_id}/cancel", [](const Request& req) {
    return json_response(Status::accepted,
                         {{"id", req.path_param("order_id")}, {"route", req.route()}});
  });
  router.add(Verb::post, "/api/v1/positions/square-off-all",
             [](const Request&) { return empty_response(Status::accepted); });
  router.add(Verb::post, "/api/v1/positions/square-off",
             [](const Request&) { return empty_response(Status::no_content); });

  auto res = dispatch(router, Verb::post, "/api/v1/orders/77/cancel");
  CHECK(res.result() == Status::accepted);
  CHECK(nlohmann::json::parse(res.body())["id"] == "77");
  CHECK(nlohmann::json::parse(res.body())["route"] == "/api/v1/orders/{order_id}/cancel");
  CHECK(dispatch(router, Verb::post, "/api/v1/positions/square-off").result() ==
        Status::no_content);
  CHECK(dispatch(router, Verb::post, "/api/v1/positions/square-off-all").result() ==
        Status::accepted);
  // Parameters never match an empty segment or extra segments.
  CHECK(dispatch(router, Verb::post, "/api/v1/orders//cancel").result() == Status::not_found);
  CHECK(dispatch(router, Verb::post, "/api/v1/orders/1/cancel/x").result() == Status::not_found);
  CHECK(dispatch(router, Verb::post, "/api/v1/orders/1").result() == Status::not_found);
}

TEST_CASE("a wrong method gets 405 listing the allowed ones", "[http][router]") {
  Router router;
  router.add(Verb::get, "/api/v1/positions",
             [](const Request&) { return empty_response(Status::ok); });
  router.add(Verb::post, "/api/v1/positions",
             [](const Request&) { return empty_response(Status::ok); });
  const auto res = dispatch(router, Verb::put, "/api/v1/positions");
  CHECK(res.result() == Status::method_not_allowed);
  CHECK(res[boost::beast::http::field::allow] == "GET, POST, HEAD");
  CHECK(error_code(res) == "method_not_allowed");
}

TEST_CASE("unknown API paths are 404 JSON even with a fallback; others go to it",
          "[http][router]") {
  Router router;
  router.set_fallback([](const Request& req, Responder r) {
    r.send(json_response(Status::ok, {{"fallback", req.path()}}));
  });
  const auto api = dispatch(router, Verb::get, "/api/v2/nothing");
  CHECK(api.result() == Status::not_found);
  CHECK(error_code(api) == "not_found");
  CHECK(dispatch(router, Verb::get, "/index.html").result() == Status::ok);
  Router bare;
  CHECK(dispatch(bare, Verb::get, "/index.html").result() == Status::not_found);
}

TEST_CASE("a guard can answer instead of the route", "[http][router]") {
  Router router;
  router.add(Verb::get, "/api/v1/admin/overview",
             [](const Request&) { return empty_response(Status::ok); });
  router.add_guard([](const Request& req) -> std::optional<Response> {
    if (req.path().starts_with("/api/v1/admin/")) return standard_error(Status::not_found);
    return std::nullopt;
  });
  CHECK(dispatch(router, Verb::get, "/api/v1/admin/overview").result() == Status::not_found);
}

TEST_CASE("malformed or duplicate patterns are refused at registration", "[http][router]") {
  Router router;
  const auto h = [](const Request&) { return empty_response(Status::ok); };
  router.add(Verb::get, "/a/{id}", h);
  CHECK_THROWS_AS(router.add(Verb::get, "/a/{id}", h), std::invalid_argument);
  CHECK_THROWS_AS(router.add(Verb::get, "/a/{}", h), std::invalid_argument);
  CHECK_THROWS_AS(router.add(Verb::get, "a/b", h), std::invalid_argument);
  CHECK_THROWS_AS(router.add(Verb::get, "/a/x{y}", h), std::invalid_argument);
}
