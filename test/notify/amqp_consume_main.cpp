// irra_test_amqp_consume URL QUEUE MAX IDLE_MS: consumes (and acknowledges) up to MAX
// messages of QUEUE, stopping after IDLE_MS without one, and prints each as
// "message_id<TAB>body" on a line. Used by the delivery integration test.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "amqp_client.hpp"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s URL QUEUE MAX IDLE_MS\n", argv[0]);
    return 2;
  }
  try {
    irra::notify::test::AmqpClient client(argv[1]);
    client.declare(argv[2]);
    const auto max = std::strtoull(argv[3], nullptr, 10);
    const auto idle = std::chrono::milliseconds(std::strtoll(argv[4], nullptr, 10));
    for (const auto& m : client.consume(argv[2], max, idle)) {
      std::printf("%s\t%s\n", m.message_id.c_str(), m.body.c_str());
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
