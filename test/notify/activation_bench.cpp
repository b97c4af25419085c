// irra_notify_bench [COUNT] [BATCH]: the activation figures of quality.md. Queues COUNT
// (default 100,000) activation notices into a fresh outbox (SQLite in a temp folder, or
// IRRA_TEST_DB_URL) through the database writer, then lets an outbox relay deliver them to
// the RabbitMQ of IRRA_TEST_AMQP_URL, BATCH rows at a time (default: the relay's), and
// prints how long each took. Targets: queued in under 5 s, confirmed in under 30 s.
// It purges irra.notifications first and last: point it at a test broker only.
#include <soci/soci.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "../store/test_db.hpp"
#include "amqp_client.hpp"
#include "irra/notify/activation.hpp"
#include "irra/notify/relay.hpp"

using namespace std::chrono;

int main(int argc, char** argv) {
  const std::size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100'000;
  irra::notify::RelayOptions ropts;
  if (argc > 2) ropts.batch_limit = std::strtoull(argv[2], nullptr, 10);
  const std::string amqp = irra::notify::test::amqp_url();
  if (amqp.empty()) {
    std::fprintf(stderr, "set IRRA_TEST_AMQP_URL (scripts/lib/rabbitmq.sh starts a broker)\n");
    return 2;
  }
  {
    // Declared first: on a fresh broker the queue does not exist until a relay declares it.
    irra::notify::test::AmqpClient setup(amqp);
    setup.declare("irra.notifications");
    setup.purge("irra.notifications");
  }
  irra::store::test::TestDb db;
  std::vector<irra::domain::Client> clients(count);
  for (std::size_t i = 0; i < count; ++i) {
    clients[i].ucc = "B" + std::to_string(1'000'000 + i);
    clients[i].mobile = "9" + std::to_string(800'000'000 + i);
    clients[i].email = clients[i].ucc + "@example.com";
  }

  irra::store::Writer writer(db.url(), db.open());
  const auto t0 = steady_clock::now();
  bool ok = false;
  irra::notify::queue_activation_notices(writer, std::move(clients), "https://irra.example", "1",
                                         [&ok](const irra::store::WriteResult& r) { ok = r.ok; });
  writer.drain_and_stop();
  const double queued = duration<double>(steady_clock::now() - t0).count();
  if (!ok) return 1;

  const auto t1 = steady_clock::now();
  irra::notify::Relay relay(db.url(), irra::notify::make_amqp_sink(amqp), ropts);
  relay.wake();
  auto sql = db.open();
  long long left = 1;
  while (left > 0 && steady_clock::now() - t1 < minutes(5)) {
    std::this_thread::sleep_for(milliseconds(20));
    *sql << "SELECT COUNT(*) FROM outbox", soci::into(left);
  }
  const double confirmed = duration<double>(steady_clock::now() - t1).count();
  const auto s = relay.stats();
  relay.stop();
  irra::notify::test::AmqpClient client(amqp);
  const auto on_broker = client.count("irra.notifications");
  client.purge("irra.notifications");
  std::printf(
      "activation notices: %zu queued (committed to the %s outbox) in %.2f s (target < 5 s); "
      "all confirmed by RabbitMQ in %.2f s (target < 30 s), %.0f/s, batch %zu; "
      "%u on the broker, %llu published, %llu not confirmed\n",
      count, db.is_mysql() ? "MySQL" : "SQLite", queued, confirmed, count / confirmed,
      ropts.batch_limit, on_broker, static_cast<unsigned long long>(s.published),
      static_cast<unsigned long long>(s.failed));
  return left == 0 ? 0 : 1;
}
