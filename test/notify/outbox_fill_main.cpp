// irra_test_outbox_fill DB_URL COUNT TRANSITION_ID: queues COUNT activation notices (clients
// T000001...) into the outbox of DB_URL through a store::Writer, as the mode machine does at
// activation, and prints how long the commit took. Used by the delivery integration test
// (the relay of a running irra finds the rows by its fallback poll).
#include <soci/soci.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "irra/notify/activation.hpp"
#include "irra/store/database.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DB_URL COUNT TRANSITION_ID\n", argv[0]);
    return 2;
  }
  try {
    const auto url = irra::store::DbUrl::parse(argv[1]);
    const auto n = std::strtoull(argv[2], nullptr, 10);
    std::vector<irra::domain::Client> clients(n);
    for (std::size_t i = 0; i < n; ++i) {
      char ucc[32];
      std::snprintf(ucc, sizeof ucc, "T%06zu", i + 1);
      clients[i].ucc = ucc;
      clients[i].mobile = "9" + std::to_string(800000000 + i);
      clients[i].email = std::string(ucc) + "@example.com";
    }
    irra::store::Writer writer(url, irra::store::open(url));
    const auto start = std::chrono::steady_clock::now();
    bool ok = false;
    if (!irra::notify::queue_activation_notices(
            writer, std::move(clients), "https://irra.example", argv[3],
            [&ok](const irra::store::WriteResult& r) { ok = r.ok; })) {
      std::fprintf(stderr, "the writer refused the notices\n");
      return 1;
    }
    if (!writer.drain_and_stop() || !ok) {
      std::fprintf(stderr, "the notices were not committed: %s\n", writer.last_error().c_str());
      return 1;
    }
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("queued %llu activation notices in %.2f s\n", static_cast<unsigned long long>(n),
                s);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
