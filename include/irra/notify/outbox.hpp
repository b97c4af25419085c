// The transactional outbox (table outbox, schema migration 3): every message to the broker
// is first a row written by a database-writer job, in the same transaction as the change it
// describes, so a crash or a broker outage can delay a message but never lose it. The relay
// (relay.hpp) hands the rows to the sink in id order and deletes each one only once the sink
// has confirmed it: delivery is at least once, and consumers de-duplicate by event_id.
//
// Thread rule: make_event() and derived_event_id() are pure (any thread). insert_events()
// runs on the thread that owns `sql`, normally inside a store::Writer job.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace soci {
class session;
}

namespace irra::notify {

// The contract's queues (interfaces.md section 6).
inline constexpr std::string_view queue_orders = "irra.orders";
inline constexpr std::string_view queue_trades = "irra.trades";
inline constexpr std::string_view queue_notifications = "irra.notifications";

// The longest event_id the outbox stores (VARCHAR(64)).
inline constexpr std::size_t max_event_id_size = 64;

struct OutboxEvent {
  std::string event_id;
  std::string queue;
  std::string body;  // the message: a JSON object's text, carrying "event_id" and "type"
};

// An event for `queue` from `message` (a JSON object). A message without "event_id" gets a
// new random one (new_event_id()) here, before any writer job runs, so a job that is run
// again inserts the same event once. Throws std::invalid_argument for an empty queue name, a
// message that is not an object, or an "event_id" that is not a string of 1 to 64 chars.
OutboxEvent make_event(std::string_view queue, nlohmann::json message);

// Inserts `events` in multi-row statements (SQLite: prepared, values bound in place; MySQL:
// escaped multi-row text), ignoring an event_id already there, so a re-run job writes each
// event once (the same conflict clauses as store/sql_dialect.hpp's insert_or_ignore_sql).
// Database errors throw soci::soci_error.
void insert_events(soci::session& sql, const std::vector<OutboxEvent>& events);

// A deterministic event id: the same `kind` and `parts` always give the same id, different
// ones (practically) never do. A UUIDv8 in 8-4-4-4-12 lowercase hex built from SHA-256 of the
// length-prefixed parts, so re-queueing the same logical event writes nothing twice.
std::string derived_event_id(std::string_view kind, std::initializer_list<std::string_view> parts);

}  // namespace irra::notify
