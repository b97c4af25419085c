// Streaming responses (Server-Sent Events) end to end: the head, events in order, keep-alive
// comments, the end of a stream by the client, by close(), by a slow reader's backlog and by
// the server's stop, over TLS and plain HTTP.
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <future>
#include <mutex>

#include "irra/http/event_stream.hpp"
#include "test_support.hpp"

using namespace irra::http;
using namespace irra::http::test;
using namespace std::chrono_literals;

namespace {

// What the stream route hands the test: the stream, and how often on_close ran.
struct Slot {
  std::mutex mutex;
  std::shared_ptr<EventStream> stream;  // GUARDED_BY(mutex)
  std::promise<void> started;
  std::atomic<int> closed{0};
  std::future<void> later;  // a start from another thread

  std::shared_ptr<EventStream> get() {
    std::lock_guard lock(mutex);
    return stream;
  }
};

void open_stream(const std::shared_ptr<Slot>& slot, Responder responder) {
  Response head{Status::ok, 11};
  head.set(bhttp::field::content_type, "text/event-stream; charset=utf-8");
  head.body() = "retry: 1000\n\n";
  auto stream = responder.start_stream(std::move(head));
  // No Catch assertions here: this runs on the server's thread. A null stream fails the test.
  if (stream) stream->on_close([slot] { ++slot->closed; });
  {
    std::lock_guard lock(slot->mutex);
    slot->stream = stream;
  }
  slot->started.set_value();
}

// GET /api/v1/stream starts a stream, at once or (from_other_thread) 50 ms later from a
// thread that is not the server's.
std::shared_ptr<Router> stream_router(const std::shared_ptr<Slot>& slot,
                                      bool from_other_thread = false) {
  auto router = std::make_shared<Router>();
  router->add(Verb::get, "/api/v1/status", [](const Request&) {
    return json_response(Status::ok, {{"mode", "standby"}});
  });
  router->add_async(
      Verb::get, "/api/v1/stream", [slot, from_other_thread](const Request&, Responder responder) {
        if (!from_other_thread) return open_stream(slot, std::move(responder));
        // Weak: the future lives in the slot.
        slot->later = std::async(std::launch::async, [weak = std::weak_ptr<Slot>(slot),
                                                      r = std::move(responder)]() mutable {
          std::this_thread::sleep_for(50ms);
          if (auto s = weak.lock()) open_stream(s, std::move(r));
        });
      });
  return router;
}

// Sends the request and reads the head and the "retry:" the handler put in its body.
std::shared_ptr<EventStream> subscribe(Client& client, Slot& slot,
                                       bhttp::response<bhttp::empty_body>* head_out = nullptr) {
  REQUIRE_FALSE(client.connect());
  REQUIRE_FALSE(client.write_raw("GET /api/v1/stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  bhttp::response<bhttp::empty_body> head;
  REQUIRE_FALSE(client.read_header(head));
  REQUIRE(head.result() == bhttp::status::ok);
  const auto [ec, first] = client.read_until("\n\n");
  REQUIRE_FALSE(ec);
  CHECK(first == "retry: 1000\n\n");
  REQUIRE(slot.started.get_future().wait_for(5s) == std::future_status::ready);
  if (head_out) *head_out = std::move(head);
  auto stream = slot.get();
  REQUIRE(stream);
  return stream;
}

std::string event(int n) {
  return "event: order\ndata: {\"n\":" + std::to_string(n) + "}\n\n";
}

template <class Pred>
bool eventually(Pred&& pred, std::chrono::milliseconds limit = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

}  // namespace

TEST_CASE("a TLS client receives the stream's head and its events in order", "[http][stream]") {
  auto slot = std::make_shared<Slot>();
  auto options = test_options();
  options.idle_timeout = 200ms;  // must not apply to a stream
  const bool from_other_thread = GENERATE(false, true);
  INFO("started from another thread: " << from_other_thread);
  TestServer server(stream_router(slot, from_other_thread), options);
  Client client(server.port());
  bhttp::response<bhttp::empty_body> head;
  auto stream = subscribe(client, *slot, &head);

  CHECK(head[bhttp::field::content_type] == "text/event-stream; charset=utf-8");
  CHECK(head[bhttp::field::cache_control] == "no-store");
  CHECK(head[bhttp::field::strict_transport_security] == "max-age=31536000; includeSubDomains");
  CHECK(head["X-Content-Type-Options"] == "nosniff");
  CHECK(head.find(bhttp::field::content_length) == head.end());
  CHECK(head.find(bhttp::field::transfer_encoding) == head.end());
  CHECK_FALSE(head.keep_alive());  // Connection: close: the body ends with the connection
  // Counted when the server's write of the head completes, which may be just after the
  // client has read it.
  CHECK(eventually([&] { return server.metrics().streams_open() == 1; }));
  CHECK(server.metrics().requests("/api/v1/stream", "GET", 200) == 1);
  std::string prometheus;
  server.metrics().render_prometheus(prometheus);
  CHECK(prometheus.find("irra_http_streams_open 1\n") != std::string::npos);

  std::this_thread::sleep_for(400ms);  // past the idle timeout
  CHECK(stream->is_open());
  // Sent from this thread while the connection writes on its own.
  for (int i = 0; i < 200; ++i) REQUIRE(stream->send(event(i)));
  for (int i = 0; i < 200; ++i) {
    const auto [ec, got] = client.read_until("\n\n");
    REQUIRE_FALSE(ec);
    REQUIRE(got == event(i));
  }

  // close() ends the stream after what is queued, with a TLS close_notify.
  REQUIRE(stream->send(event(200)));
  stream->close();
  CHECK_FALSE(stream->is_open());
  CHECK_FALSE(stream->send(event(201)));
  const auto [ec, last] = client.read_until("\n\n");
  REQUIRE_FALSE(ec);
  CHECK(last == event(200));
  const auto [closed_ec, elapsed] = client.wait_closed(3s);
  CHECK(closed_ec == net::error::eof);
  CHECK(elapsed < 2s);
  CHECK(eventually([&] { return slot->closed == 1; }));
  CHECK(eventually([&] { return server.metrics().streams_open() == 0; }));
  CHECK(server.metrics().errors_total() == 0);
}

TEST_CASE("an event sent after the client disconnects returns false and on_close has run",
          "[http][stream]") {
  auto slot = std::make_shared<Slot>();
  TestServer server(stream_router(slot));
  Client client(server.port());
  auto stream = subscribe(client, *slot);
  REQUIRE(stream->send(event(1)));
  REQUIRE(client.read_until("\n\n").second == event(1));

  client.close();
  // The pending read notices the close without any write.
  REQUIRE(eventually([&] { return slot->closed == 1; }));
  CHECK_FALSE(stream->is_open());
  CHECK_FALSE(stream->send(event(2)));
  CHECK(eventually([&] { return server.server().connection_count() == 0; }));
  CHECK(server.metrics().streams_open() == 0);

  // A callback set after the end still runs, once.
  std::atomic<int> late{0};
  stream->on_close([&] { ++late; });
  CHECK(eventually([&] { return late == 1; }));
  std::this_thread::sleep_for(50ms);
  CHECK(late == 1);
  CHECK(slot->closed == 1);
}

TEST_CASE("a quiet stream gets a keep-alive comment every interval", "[http][stream]") {
  auto slot = std::make_shared<Slot>();
  auto options = test_options();
  options.stream_keepalive = 150ms;
  options.idle_timeout = 100ms;
  TestServer server(stream_router(slot), options);
  Client client(server.port());
  auto stream = subscribe(client, *slot);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    const auto [ec, got] = client.read_until("\n\n", 2s);
    REQUIRE_FALSE(ec);
    CHECK(got == ": keep-alive\n\n");
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= 350ms);
  CHECK(elapsed < 2s);
  REQUIRE(stream->send(event(7)));
  CHECK(client.read_until("\n\n").second == event(7));
}

TEST_CASE("a client too far behind is cut off at the backlog limit", "[http][stream]") {
  auto slot = std::make_shared<Slot>();
  auto options = test_options();
  options.stream_backlog_limit = 64 * 1024;
  TestServer server(stream_router(slot), options);
  Client client(server.port());
  auto stream = subscribe(client, *slot);

  SECTION("one event above the limit") {
    CHECK_FALSE(stream->send(std::string(64 * 1024 + 1, 'x')));
  }
  SECTION("a reader that stopped reading") {
    // The kernel's socket buffers take a few MB first; then the queue fills.
    const std::string chunk = "data: " + std::string(16 * 1024, 'x') + "\n\n";
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    std::size_t sent = 0;
    while (stream->send(chunk) && std::chrono::steady_clock::now() < deadline) {
      sent += chunk.size();
      std::this_thread::sleep_for(1ms);  // slower than the connection: the kernel fills first
    }
    INFO("accepted " << sent << " bytes");
    CHECK(std::chrono::steady_clock::now() < deadline);
  }
  CHECK_FALSE(stream->is_open());
  CHECK_FALSE(stream->send(event(1)));
  REQUIRE(eventually([&] { return slot->closed == 1; }));
  CHECK(client.wait_closed(3s).first);          // the connection is gone
  CHECK(server.metrics().errors_total() >= 1);  // the cut-off is counted
  CHECK(eventually([&] { return server.metrics().streams_open() == 0; }));
}

TEST_CASE("Server::stop ends open streams at once, after what is queued", "[http][stream]") {
  auto slot = std::make_shared<Slot>();
  TestServer server(stream_router(slot));
  Client client(server.port());
  auto stream = subscribe(client, *slot);
  Client idle(server.port());
  REQUIRE_FALSE(idle.connect());
  REQUIRE(idle.get("/api/v1/status").result() == bhttp::status::ok);

  REQUIRE(stream->send(event(1)));
  std::atomic<bool> stopped{false};
  const auto start = std::chrono::steady_clock::now();
  net::post(server.ioc(), [&] { server.server().stop(5s, [&] { stopped = true; }); });
  REQUIRE(eventually([&] { return stopped.load(); }));
  CHECK(std::chrono::steady_clock::now() - start < 1s);  // not the 5 s grace period
  CHECK(client.read_until("\n\n").second == event(1));
  CHECK(client.wait_closed(3s).first == net::error::eof);
  CHECK(slot->closed == 1);
  CHECK_FALSE(stream->send(event(2)));
}

TEST_CASE("plain HTTP streams too, and HEAD gets the head alone", "[http][stream]") {
  auto slot = std::make_shared<Slot>();
  TestServer server(stream_router(slot), test_options(), /*tls=*/false);
  Client client(server.port(), nullptr);
  bhttp::response<bhttp::empty_body> head;
  auto stream = subscribe(client, *slot, &head);
  CHECK(head[bhttp::field::content_type] == "text/event-stream; charset=utf-8");
  CHECK_FALSE(head.keep_alive());
  for (int i = 0; i < 20; ++i) REQUIRE(stream->send(event(i)));
  for (int i = 0; i < 20; ++i) REQUIRE(client.read_until("\n\n").second == event(i));
  client.close();
  REQUIRE(eventually([&] { return slot->closed == 1; }));
  CHECK_FALSE(stream->send(event(20)));

  auto head_slot = std::make_shared<Slot>();
  TestServer head_server(stream_router(head_slot), test_options(), /*tls=*/false);
  Client head_client(head_server.port(), nullptr);
  REQUIRE_FALSE(head_client.connect());
  REQUIRE_FALSE(head_client.write_raw("HEAD /api/v1/stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE_FALSE(head_client.read_header(head));
  CHECK(head.result() == bhttp::status::ok);
  const auto [ec, rest] = head_client.read_until("\n\n", 3s);
  CHECK(ec == net::error::eof);  // closed without a body
  CHECK(rest.empty());
  CHECK(eventually([&] { return head_slot->closed == 1; }));
}
