// The amqp sink against a real RabbitMQ (IRRA_TEST_AMQP_URL), and against sockets that
// misbehave (no broker needed for those).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "../store/test_db.hpp"
#include "amqp_client.hpp"
#include "irra/notify/outbox.hpp"
#include "irra/notify/relay.hpp"
#include "irra/notify/sink.hpp"

using namespace irra::notify;
using irra::notify::test::amqp_url;
using irra::notify::test::AmqpClient;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The broker tests return early, saying so (CTest reports them skipped on this line).
bool have_broker() {
  if (!amqp_url().empty()) return true;
  std::cout << "IRRA_TEST_AMQP_URL is not set: skipping this RabbitMQ test" << std::endl;
  return false;
}

std::string unique_queue(const std::string& what) {
  std::random_device rd;
  return "irra.test." + what + "." + std::to_string(rd()) + std::to_string(rd());
}

std::vector<OutboxRow> rows(const std::string& queue, std::size_t n, std::int64_t first_id = 1) {
  std::vector<OutboxRow> out;
  for (std::size_t i = 0; i < n; ++i) {
    auto e = make_event(queue, json{{"type", "order"}, {"seq", i}});
    out.push_back(OutboxRow{first_id + static_cast<std::int64_t>(i), e.event_id, e.queue, e.body});
  }
  return out;
}

// A TCP listener on 127.0.0.1 that accepts and then never says a word.
struct SilentServer {
  int fd = -1;
  int port = 0;
  std::vector<int> accepted;
  std::thread thread;
  SilentServer() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    REQUIRE(::listen(fd, 4) == 0);
    thread = std::thread([this] {
      const int c = ::accept(fd, nullptr, nullptr);
      if (c >= 0) accepted.push_back(c);
    });
  }
  ~SilentServer() {
    ::shutdown(fd, SHUT_RDWR);
    thread.join();
    for (int c : accepted) ::close(c);
    ::close(fd);
  }
};

}  // namespace

TEST_CASE("an AMQP URL that cannot be parsed is refused at once") {
  CHECK_THROWS_AS(make_amqp_sink("http://x"), std::invalid_argument);
  CHECK_THROWS_AS(make_amqp_sink("amqp://host:notaport/"), std::invalid_argument);
  CHECK(make_amqp_sink("amqp://u:secret@127.0.0.1:5672/")->describe() == "amqp 127.0.0.1:5672/");
  CHECK(make_amqp_sink("amqp://u:secret@h:1/vh")->describe().find("secret") == std::string::npos);
}

TEST_CASE("no broker listening: open fails quickly with the reason") {
  SilentServer closed;  // take a free port, then free it
  const int port = closed.port;
  ::shutdown(closed.fd, SHUT_RDWR);
  ::close(closed.fd);
  closed.fd = ::socket(AF_INET, SOCK_STREAM, 0);
  auto sink = make_amqp_sink("amqp://guest:guest@127.0.0.1:" + std::to_string(port) + "/");
  std::string error;
  CHECK_FALSE(sink->open(error));
  CHECK(error.find("connect") != std::string::npos);
  CHECK_FALSE(sink->is_open());
}

TEST_CASE("a broker that accepts and never answers cannot hang the sink") {
  SilentServer silent;
  AmqpOptions o;
  o.connect_timeout = 400ms;
  auto sink =
      make_amqp_sink("amqp://guest:guest@127.0.0.1:" + std::to_string(silent.port) + "/", o);
  std::string error;
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(sink->open(error));
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took < 3s);
  CHECK_FALSE(error.empty());
}

TEST_CASE("the amqp sink publishes persistent JSON messages that the broker confirms") {
  if (!have_broker()) return;
  const auto queue = unique_queue("sink");
  auto sink = make_amqp_sink(amqp_url());
  std::string error;
  REQUIRE(sink->open(error));
  const auto batch = rows(queue, 300);
  const Delivery d = sink->deliver(batch);
  CHECK(d.error.empty());
  REQUIRE(d.confirmed.size() == 300);
  for (bool c : d.confirmed) REQUIRE(c);
  // A second batch on the same connection (delivery tags go on counting).
  const Delivery d2 = sink->deliver(rows(queue, 5, 1000));
  CHECK(d2.error.empty());
  CHECK(d2.confirmed == std::vector<bool>(5, true));
  sink->close();

  AmqpClient client(amqp_url());
  const auto got = client.consume(queue, 1000, 1s);
  REQUIRE(got.size() == 305);
  for (std::size_t i = 0; i < 300; ++i) {
    REQUIRE(got[i].message_id == batch[i].event_id);
    REQUIRE(got[i].body == batch[i].body);
    REQUIRE(got[i].content_type == "application/json");
    REQUIRE(got[i].delivery_mode == 2);
  }
  client.remove(queue);
}

TEST_CASE("open declares the contract's durable queues") {
  if (!have_broker()) return;
  auto sink = make_amqp_sink(amqp_url());
  std::string error;
  REQUIRE(sink->open(error));
  AmqpClient client(amqp_url());
  CHECK_NOTHROW(client.count("irra.orders"));
  CHECK_NOTHROW(client.count("irra.trades"));
  CHECK_NOTHROW(client.count("irra.notifications"));
}

TEST_CASE("a queue deleted under the sink: its messages are not confirmed, then go through") {
  if (!have_broker()) return;
  const auto queue = unique_queue("gone");
  auto sink = make_amqp_sink(amqp_url());
  std::string error;
  REQUIRE(sink->open(error));
  REQUIRE(sink->deliver(rows(queue, 2)).error.empty());  // declares it
  AmqpClient client(amqp_url());
  client.remove(queue);
  const auto lost = sink->deliver(rows(queue, 3, 10));
  CHECK(lost.error.empty());
  CHECK(lost.confirmed == std::vector<bool>(3, false));  // returned: unroutable
  const auto again = sink->deliver(rows(queue, 3, 20));  // declared again
  CHECK(again.confirmed == std::vector<bool>(3, true));
  CHECK(client.consume(queue, 100, 500ms).size() == 3);
  client.remove(queue);
}

TEST_CASE("the relay delivers the outbox to RabbitMQ: every event exactly once, in order") {
  if (!have_broker()) return;
  irra::store::test::TestDb db;
  auto sql = db.open();
  const auto queue = unique_queue("relay");
  std::vector<OutboxEvent> evs;
  for (int i = 0; i < 5000; ++i) {
    evs.push_back(make_event(queue, json{{"type", "order"}, {"seq", i}}));
  }
  insert_events(*sql, evs);
  RelayOptions o;
  o.poll_interval = 1h;
  Relay relay(db.url(), make_amqp_sink(amqp_url()), o);
  relay.wake();
  const auto until = std::chrono::steady_clock::now() + 60s;
  while (irra::store::test::TestDb::count(*sql, "outbox") > 0 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(20ms);
  }
  CHECK(relay.stats().sink_connected);
  relay.stop();
  CHECK(irra::store::test::TestDb::count(*sql, "outbox") == 0);
  AmqpClient client(amqp_url());
  const auto got = client.consume(queue, 10000, 1s);
  REQUIRE(got.size() == 5000);
  for (std::size_t i = 0; i < got.size(); ++i) {
    REQUIRE(got[i].message_id == evs[i].event_id);
    REQUIRE(json::parse(got[i].body)["seq"] == i);
  }
  client.remove(queue);
  const auto s = relay.stats();
  CHECK(s.confirmed == 5000);
  CHECK(s.failed == 0);
}
