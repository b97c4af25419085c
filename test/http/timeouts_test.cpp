// Deadlines and connection limits of the server: slow, idle and excess clients.
#include <catch2/catch.hpp>
#include <future>

#include "test_support.hpp"

using namespace irra::http;
using namespace irra::http::test;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<Router> status_router() {
  auto router = std::make_shared<Router>();
  router->add(Verb::get, "/api/v1/status", [](const Request&) {
    return json_response(Status::ok, {{"mode", "standby"}});
  });
  return router;
}

}  // namespace

TEST_CASE("a client dribbling half a header is cut off at the header deadline",
          "[http][timeouts]") {
  auto options = test_options();
  options.header_timeout = 400ms;
  options.idle_timeout = 10s;  // must not be the one that applies
  TestServer server(status_router(), options);
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  REQUIRE_FALSE(client.write_raw("GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  const auto [ec, elapsed] = client.wait_closed(5s);
  CHECK(ec);
  CHECK(elapsed >= 300ms);
  CHECK(elapsed < 3s);
  // A header timeout is counted, not silent. Beast's deadline closes the socket before the
  // read completes, so the count may land just after the client saw the close.
  for (int i = 0; i < 100 && server.metrics().errors_total() == 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK(server.metrics().errors_total() >= 1);
}

TEST_CASE("an idle keep-alive connection is closed at the idle deadline", "[http][timeouts]") {
  auto options = test_options();
  options.idle_timeout = 300ms;
  TestServer server(status_router(), options);
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  CHECK(client.get("/api/v1/status").result() == bhttp::status::ok);
  const auto [ec, elapsed] = client.wait_closed(5s);
  CHECK(ec);
  CHECK(elapsed < 3s);
  CHECK(server.metrics().errors_total() == 0);  // idle close is normal life
}

TEST_CASE("a client that never finishes the TLS handshake is dropped", "[http][timeouts]") {
  auto options = test_options();
  options.handshake_timeout = 300ms;
  TestServer server(status_router(), options);
  Client raw(server.port(), nullptr);  // plain TCP: sends nothing, never handshakes
  REQUIRE_FALSE(raw.connect());
  const auto [ec, elapsed] = raw.wait_closed(5s);
  CHECK(ec);
  CHECK(elapsed < 3s);
}

TEST_CASE("connections beyond max_connections are refused without harming the others",
          "[http][timeouts]") {
  auto options = test_options();
  options.max_connections = 3;
  TestServer server(status_router(), options);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<Client>(server.port()));
    REQUIRE_FALSE(clients.back()->connect());
    REQUIRE(clients.back()->get("/api/v1/status").result() == bhttp::status::ok);
  }
  Client extra(server.port());
  CHECK(extra.connect());  // closed by the server during the handshake
  CHECK(server.metrics().connections_refused() == 1);
  for (auto& c : clients) CHECK(c->get("/api/v1/status").result() == bhttp::status::ok);
  clients.pop_back();
  // Give the server a moment to see the close, then a newcomer fits again.
  for (int i = 0; i < 100 && server.server().connection_count() > 2; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  Client later(server.port());
  REQUIRE_FALSE(later.connect());
  CHECK(later.get("/api/v1/status").result() == bhttp::status::ok);
}

TEST_CASE("graceful stop lets the request in flight finish with Connection: close",
          "[http][timeouts]") {
  auto router = status_router();
  std::shared_ptr<Responder> parked;
  std::promise<void> arrived;
  router->add_async(Verb::get, "/api/v1/parked", [&](const Request&, Responder r) {
    parked = std::make_shared<Responder>(std::move(r));
    arrived.set_value();
  });
  TestServer server(router);
  Client busy(server.port());
  Client idle(server.port());
  REQUIRE_FALSE(busy.connect());
  REQUIRE_FALSE(idle.connect());
  REQUIRE(idle.get("/api/v1/status").result() == bhttp::status::ok);

  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/api/v1/parked", 11};
  req.set(bhttp::field::host, "x");
  REQUIRE_FALSE(busy.write(req));
  arrived.get_future().wait();
  std::atomic<bool> stopped{false};
  net::post(server.ioc(), [&] { server.server().stop(5s, [&] { stopped = true; }); });

  CHECK(idle.wait_closed(3s).second < 3s);  // idle: closed at once
  net::post(server.ioc(), [&] { parked->send(json_response(Status::ok, {{"done", true}})); });
  ClientResponse res;
  REQUIRE_FALSE(busy.read(res));
  CHECK(res.result() == bhttp::status::ok);
  CHECK_FALSE(res.keep_alive());
  for (int i = 0; i < 300 && !stopped; ++i) std::this_thread::sleep_for(10ms);
  CHECK(stopped);
  Client late(server.port());
  CHECK(late.connect());  // no longer accepting
}
