// Where messages to investors and downstream systems go (contract section 6): OTP and
// activation notifications on "irra.notifications", order and trade events on "irra.orders"
// and "irra.trades". Every message carries a unique "event_id" so consumers de-duplicate.
// The server uses the outbox notifier (make_outbox_notifier): a message is a row of the
// database outbox first (outbox.hpp), and the relay (relay.hpp) delivers it to the sink.
//
// Thread rule: publish() and backlog() may be called from any thread; publish() never blocks
// on I/O (it holds a mutex only to push onto a bounded queue). stop() may be called from any
// thread except a sink's own; the destructor calls it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace irra::store {
class Writer;
}

namespace irra::notify {

class Relay;

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Queues one message for `queue` ("irra.notifications", "irra.orders", "irra.trades").
  // `message` is a JSON object; if it has no "event_id", a unique one is added (UUIDv4-like,
  // random). False when refused: stopped, the bounded queue is full, an empty queue name or a
  // message that is not a JSON object.
  virtual bool publish(std::string_view queue, nlohmann::json message) = 0;
  // Writes everything queued, then stops (idempotent). Bounded by `deadline`: what is still
  // queued when it passes is dropped (and logged); a write already in progress is waited for.
  virtual void stop(std::chrono::milliseconds deadline = std::chrono::seconds(5)) = 0;
  virtual std::uint64_t backlog() const = 0;  // queued, not yet written
};

// A random UUIDv4 in its 8-4-4-4-12 lowercase hex form (libsodium's RNG).
std::string new_event_id();

// The `file` sink: one JSON object per line appended to `file` (created with its folders;
// the file gets mode 0600, even when it already existed, since OTPs pass through it), on a
// thread of its own (blocking I/O never on the reactor), batched: each batch is written and
// fdatasync'ed once. Each line is the message plus "queue": name. A failed write or sync is
// logged and the same batch retried with capped backoff (nothing dropped or reordered; the
// backlog grows until publish() refuses). Throws std::runtime_error when the file cannot be
// opened, std::invalid_argument when capacity is 0.
std::unique_ptr<Notifier> make_file_notifier(std::filesystem::path file,
                                             std::size_t capacity = 1'000'000);

// The outbox notifier: publish() builds the event (outbox.hpp make_event: its event_id is
// fixed before the job exists, so a re-run batch inserts it once) and submits a writer job
// that inserts it into the outbox; after the commit it wakes `relay` (may be null: the
// relay's fallback poll finds it). False when the message is invalid, the notifier is
// stopped, or the writer refuses (full or stopping). stop() only refuses further messages:
// what is accepted is the writer's and the relay's. backlog() counts messages not yet
// committed plus the outbox rows the relay has not had confirmed. `writer` and `relay` must
// outlive the notifier's accepted jobs (the server drains the writer first).
std::unique_ptr<Notifier> make_outbox_notifier(store::Writer& writer, Relay* relay);

}  // namespace irra::notify
