// A small RabbitMQ client for the tests (RabbitMQ-C): declare, purge, delete and consume
// queues of the broker named by IRRA_TEST_AMQP_URL (scripts/lib/rabbitmq.sh starts one).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace irra::notify::test {

// IRRA_TEST_AMQP_URL, or "" when the broker tests should be skipped.
std::string amqp_url();

struct AmqpMessage {
  std::string message_id;
  std::string content_type;
  int delivery_mode = 0;
  std::string body;
};

class AmqpClient {
 public:
  explicit AmqpClient(const std::string& url);  // throws std::runtime_error
  ~AmqpClient();
  AmqpClient(const AmqpClient&) = delete;
  AmqpClient& operator=(const AmqpClient&) = delete;

  // Durable queue; returns its message count.
  std::uint32_t declare(const std::string& queue);
  // Passive declare: its message count, or throws when the queue does not exist.
  std::uint32_t count(const std::string& queue);
  void purge(const std::string& queue);
  void remove(const std::string& queue);
  // Acknowledged one by one, until `max` messages or `idle` without one.
  std::vector<AmqpMessage> consume(const std::string& queue, std::size_t max,
                                   std::chrono::milliseconds idle);

 private:
  void check(const char* what);
  struct State;
  State* s_;
};

}  // namespace irra::notify::test
