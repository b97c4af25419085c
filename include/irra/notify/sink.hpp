// Where the relay (relay.hpp) delivers outbox rows: a JSON-lines file, or RabbitMQ. A sink
// says, row by row, which deliveries are confirmed durable; only those rows are deleted from
// the outbox, the rest are offered again later (at least once).
//
// Thread rule: a sink is used by one thread at a time (the relay's own); every call is
// bounded in time (a dead socket or a stalled broker ends in an error, never a hang).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace irra::notify {

// One outbox row.
struct OutboxRow {
  std::int64_t id = 0;
  std::string event_id;
  std::string queue;
  std::string body;
};

struct Delivery {
  std::vector<bool> confirmed;  // one per row given to deliver(), in order
  std::string error;            // not empty: the sink broke; close() and open() it again
};

class Sink {
 public:
  virtual ~Sink() = default;
  // For logs: "file var/notifications.jsonl", "amqp 127.0.0.1:5672/" (never a password).
  virtual std::string describe() const = 0;
  // Opens the file, or connects to the broker (declaring the queues). False with `error`
  // when it cannot; the relay retries with backoff.
  virtual bool open(std::string& error) = 0;
  virtual bool is_open() const = 0;
  // Delivers `rows` in order and waits (bounded) for their confirmation. Requires is_open().
  virtual Delivery deliver(const std::vector<OutboxRow>& rows) = 0;
  // Drops the file or connection (after an error, or at stop).
  virtual void close() = 0;
};

// JSON lines appended to `file` (created with its folders, mode 0600 even when it existed,
// since OTPs pass through it): each line is the message plus "queue": name. A batch is
// confirmed once written and fdatasync'ed. A failed write is cut back off the file.
std::unique_ptr<Sink> make_file_sink(std::filesystem::path file);

struct AmqpOptions {
  std::chrono::milliseconds connect_timeout{5000};   // TCP connect, then login and declares
  std::chrono::milliseconds confirm_timeout{10000};  // publishing a batch and its acks
};

// RabbitMQ through RabbitMQ-C: `url` as amqp_parse_url takes it
// (amqp[s]://user:password@host:port/vhost). On open: login, a channel in confirm mode,
// durable queues irra.orders, irra.trades and irra.notifications declared (and any other
// queue on first use). Each row is published to the default exchange with routing key =
// its queue, persistent (delivery_mode 2), content_type application/json, message_id =
// event_id, mandatory; a row is confirmed by the broker's basic.ack (a nack or a return
// leaves it unconfirmed). Throws std::invalid_argument for a URL it cannot parse.
std::unique_ptr<Sink> make_amqp_sink(const std::string& url, AmqpOptions options = {});

}  // namespace irra::notify
