// The HTTPS server end to end: a real Beast client over 127.0.0.1 against a real Server.
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "irra/http/json_body.hpp"
#include "test_support.hpp"

using namespace irra::http;
using namespace irra::http::test;
using nlohmann::json;

namespace {

std::shared_ptr<Router> api_router() {
  auto router = std::make_shared<Router>();
  router->add(Verb::get, "/api/v1/status", [](const Request&) {
    return json_response(Status::ok, json{{"mode", "standby"}});
  });
  router->add(Verb::post, "/api/v1/orders/{order_id}/cancel", [](const Request& req) {
    return json_response(Status::accepted, json{{"order_id", req.path_param("order_id")}});
  });
  router->add(Verb::get, "/api/v1/admin/clients/{ucc}/positions", [](const Request& req) {
    return json_response(Status::ok,
                         json{{"ucc", req.path_param("ucc")},
                              {"q", req.query_param("q").value_or("-")},
                              {"session", req.cookie("__Host-irra_session").value_or("")},
                              {"ua", req.user_agent()},
                              {"remote", req.remote_address().to_string()}});
  });
  router->add(Verb::post, "/api/v1/echo", [](const Request& req) {
    auto body = parse_json_body(req);
    if (!body) return std::move(*body.error);
    return json_response(Status::ok, json{{"got", body.value}, {"size", req.body().size()}});
  });
  return router;
}

json body_of(const ClientResponse& res) {
  return json::parse(res.body());
}

}  // namespace

TEST_CASE("routes match path parameters and decoded query parameters", "[http][server]") {
  TestServer server(api_router());
  Client client(server.port());
  REQUIRE_FALSE(client.connect());

  auto res = client.request(bhttp::verb::post, "/api/v1/orders/ORD%2D42/cancel");
  CHECK(res.result() == bhttp::status::accepted);
  CHECK(body_of(res)["order_id"] == "ORD-42");

  res = client.request(bhttp::verb::get, "/api/v1/admin/clients/UCC001/positions?q=a+b%21", {},
                       {{"Cookie", "x=1; __Host-irra_session=tok123"}, {"User-Agent", "probe/1"}});
  CHECK(res.result() == bhttp::status::ok);
  const auto body = body_of(res);
  CHECK(body["ucc"] == "UCC001");
  CHECK(body["q"] == "a b!");
  CHECK(body["session"] == "tok123");
  CHECK(body["ua"] == "probe/1");
  CHECK(body["remote"] == "127.0.0.1");
}

TEST_CASE("unknown API paths get 404 JSON and wrong methods 405 with Allow", "[http][server]") {
  TestServer server(api_router());
  Client client(server.port());
  REQUIRE_FALSE(client.connect());

  auto res = client.get("/api/v1/nothing-here");
  CHECK(res.result() == bhttp::status::not_found);
  CHECK(res[bhttp::field::content_type] == "application/json");
  CHECK(body_of(res)["error"] == "not_found");

  res = client.request(bhttp::verb::delete_, "/api/v1/status");
  CHECK(res.result() == bhttp::status::method_not_allowed);
  CHECK(res[bhttp::field::allow] == "GET, HEAD");
  CHECK(body_of(res)["error"] == "method_not_allowed");

  res = client.get("/api/v1/orders/X/cancel");
  CHECK(res.result() == bhttp::status::method_not_allowed);
  CHECK(res[bhttp::field::allow] == "POST");
}

TEST_CASE("every response carries the security headers and API responses no-store",
          "[http][server]") {
  TestServer server(api_router());
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  for (const auto* target : {"/api/v1/status", "/api/v1/missing", "/not-api"}) {
    auto res = client.get(target);
    INFO(target);
    CHECK(res[bhttp::field::strict_transport_security] == "max-age=31536000; includeSubDomains");
    CHECK(res["Content-Security-Policy"] ==
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    CHECK(res["X-Content-Type-Options"] == "nosniff");
    CHECK(res[bhttp::field::x_frame_options] == "DENY");
    CHECK(res["Referrer-Policy"] == "no-referrer");
  }
  CHECK(client.get("/api/v1/status")[bhttp::field::cache_control] == "no-store");
}

TEST_CASE("one keep-alive connection serves many requests", "[http][server]") {
  TestServer server(api_router());
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  for (int i = 0; i < 500; ++i) {
    auto res = client.get("/api/v1/status");
    REQUIRE(res.result() == bhttp::status::ok);
    REQUIRE(res.keep_alive());
  }
  CHECK(server.metrics().requests("/api/v1/status", "GET", 200) == 500);
  CHECK(server.server().connection_count() == 1);
}

TEST_CASE("an asynchronous handler answers later and the next request waits for it",
          "[http][server]") {
  auto router = api_router();
  // Answers 100 ms later from a timer on another io_context thread, like a database
  // write completing on the writer's strand.
  net::io_context other;
  auto work = net::make_work_guard(other);
  std::thread other_thread([&] { other.run(); });
  std::atomic<int> calls{0};
  router->add_async(Verb::post, "/api/v1/slow", [&](const Request& req, Responder responder) {
    const std::string echo(req.body());
    const int n = ++calls;
    auto timer = std::make_shared<net::steady_timer>(other, std::chrono::milliseconds(100));
    timer->async_wait([timer, echo, n, r = std::move(responder)](auto) mutable {
      r.send(json_response(Status::ok, json{{"echo", echo}, {"n", n}}));
    });
  });
  {
    TestServer server(router);
    Client client(server.port());
    REQUIRE_FALSE(client.connect());
    // Two pipelined requests: the second must not be handled before the first answers.
    bhttp::request<bhttp::string_body> a{bhttp::verb::post, "/api/v1/slow", 11};
    a.set(bhttp::field::host, "x");
    a.body() = "first";
    a.prepare_payload();
    bhttp::request<bhttp::string_body> b = a;
    b.body() = "second";
    b.prepare_payload();
    REQUIRE_FALSE(client.write(a));
    REQUIRE_FALSE(client.write(b));
    ClientResponse r1, r2;
    REQUIRE_FALSE(client.read(r1));
    REQUIRE_FALSE(client.read(r2));
    CHECK(body_of(r1) == json{{"echo", "first"}, {"n", 1}});
    CHECK(body_of(r2) == json{{"echo", "second"}, {"n", 2}});
  }
  work.reset();
  other_thread.join();
}

TEST_CASE("a handler that drops its responder still answers 500", "[http][server]") {
  auto router = api_router();
  router->add_async(Verb::get, "/api/v1/forgetful", [](const Request&, Responder) {});
  router->add(Verb::get, "/api/v1/throws",
              [](const Request&) -> Response { throw std::runtime_error("bug"); });
  TestServer server(router);
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  CHECK(client.get("/api/v1/forgetful").result() == bhttp::status::internal_server_error);
  CHECK(client.get("/api/v1/throws").result() == bhttp::status::internal_server_error);
  CHECK(client.get("/api/v1/status").result() == bhttp::status::ok);  // connection survives
}

TEST_CASE("a body above 64 KiB gets 413 JSON", "[http][server]") {
  TestServer server(api_router());
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  const std::string ok_body = "\"" + std::string(64 * 1024 - 2, 'a') + "\"";
  auto res = client.request(bhttp::verb::post, "/api/v1/echo", ok_body,
                            {{"Content-Type", "application/json"}});
  CHECK(res.result() == bhttp::status::ok);
  CHECK(body_of(res)["size"] == 64 * 1024);

  res = client.request(bhttp::verb::post, "/api/v1/echo", std::string(64 * 1024 + 1, ' '),
                       {{"Content-Type", "application/json"}});
  CHECK(res.result() == bhttp::status::payload_too_large);
  CHECK(body_of(res)["error"] == "payload_too_large");
  CHECK_FALSE(res.keep_alive());
}

TEST_CASE("a chunked body above 64 KiB gets 413 too", "[http][server]") {
  TestServer server(api_router());
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  std::string raw =
      "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) raw += "1000\r\n" + std::string(0x1000, ' ') + "\r\n";
  raw += "0\r\n\r\n";
  REQUIRE_FALSE(client.write_raw(raw));
  ClientResponse res;
  REQUIRE_FALSE(client.read(res));
  CHECK(res.result() == bhttp::status::payload_too_large);
}

TEST_CASE("a header above 8 KiB gets 431", "[http][server]") {
  TestServer server(api_router());
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  auto res = client.request(bhttp::verb::get, "/api/v1/status", {},
                            {{"X-Padding", std::string(9000, 'p')}});
  CHECK(res.result() == bhttp::status::request_header_fields_too_large);
  CHECK(body_of(res)["error"] == "header_too_large");
}

TEST_CASE("a malformed request gets 400 and the connection is closed", "[http][server]") {
  TestServer server(api_router());
  SECTION("garbage request line") {
    Client client(server.port());
    REQUIRE_FALSE(client.connect());
    REQUIRE_FALSE(client.write_raw("GARBAGE\x01 / HTTP/1.1\r\n\r\n"));
    ClientResponse res;
    REQUIRE_FALSE(client.read(res));
    CHECK(res.result() == bhttp::status::bad_request);
    CHECK_FALSE(res.keep_alive());
    CHECK(client.wait_closed(std::chrono::seconds(3)).second < std::chrono::seconds(3));
  }
  SECTION("absolute-form or encoded-slash targets") {
    Client client(server.port());
    REQUIRE_FALSE(client.connect());
    CHECK(client.get("http://evil/api/v1/status").result() == bhttp::status::bad_request);
    Client again(server.port());
    REQUIRE_FALSE(again.connect());
    CHECK(again.get("/api/v1/orders/a%2Fb/cancel").result() == bhttp::status::bad_request);
  }
}

TEST_CASE("JSON bodies need application/json and valid syntax", "[http][server]") {
  TestServer server(api_router());
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  auto res = client.request(bhttp::verb::post, "/api/v1/echo", R"({"a":1})",
                            {{"Content-Type", "text/plain"}});
  CHECK(res.result() == bhttp::status::unsupported_media_type);
  res = client.request(bhttp::verb::post, "/api/v1/echo", R"({"a":)",
                       {{"Content-Type", "application/json; charset=utf-8"}});
  CHECK(res.result() == bhttp::status::bad_request);
  CHECK(body_of(res)["error"] == "bad_json");
  res = client.request(bhttp::verb::post, "/api/v1/echo", R"({"a":[1,2]})",
                       {{"Content-Type", "application/json"}});
  CHECK(res.result() == bhttp::status::ok);
  CHECK(body_of(res)["got"]["a"][1] == 2);
}

TEST_CASE("HEAD is answered by the GET route without a body", "[http][server]") {
  TestServer server(api_router());
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  const auto get = client.get("/api/v1/status");
  const auto head = client.request(bhttp::verb::head, "/api/v1/status");
  CHECK(head.result() == bhttp::status::ok);
  CHECK(head.body().empty());
  CHECK(head[bhttp::field::content_length] == std::to_string(get.body().size()));
  CHECK(client.get("/api/v1/status").result() == bhttp::status::ok);  // stream still in sync
}

TEST_CASE("a client sending Expect: 100-continue gets its body read", "[http][server]") {
  TestServer server(api_router());
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  REQUIRE_FALSE(
      client.write_raw("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 7\r\nExpect: 100-continue\r\n\r\n"));
  ClientResponse interim;
  REQUIRE_FALSE(client.read(interim, true));
  CHECK(interim.result() == bhttp::status::continue_);
  REQUIRE_FALSE(client.write_raw(R"({"a":1})"));
  ClientResponse res;
  REQUIRE_FALSE(client.read(res));
  CHECK(res.result() == bhttp::status::ok);
}
