// The outbox notifier of notifier.hpp: each message becomes a writer job inserting one
// outbox row; the relay delivers it.
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <stdexcept>

#include "irra/notify/notifier.hpp"
#include "irra/notify/outbox.hpp"
#include "irra/notify/relay.hpp"
#include "irra/store/writer.hpp"

namespace irra::notify {
namespace {

class OutboxNotifier final : public Notifier {
 public:
  OutboxNotifier(store::Writer& writer, Relay* relay) : writer_(writer), relay_(relay) {}

  bool publish(std::string_view queue, nlohmann::json message) override {
    if (stopped_.load(std::memory_order_relaxed)) return false;
    auto events = std::make_shared<std::vector<OutboxEvent>>();
    try {
      events->push_back(make_event(queue, std::move(message)));
    } catch (const std::invalid_argument& e) {
      spdlog::error("notification refused: {}", e.what());
      return false;
    }
    pending_->fetch_add(1, std::memory_order_relaxed);
    const bool queued = writer_.submit(
        [events](soci::session& sql) { insert_events(sql, *events); },
        [pending = pending_, relay = relay_](const store::WriteResult& r) {
          pending->fetch_sub(1, std::memory_order_relaxed);
          if (r.ok && relay != nullptr) relay->wake();
          if (!r.ok)
            spdlog::error("a notification could not be written to the outbox: {}", r.error);
        });
    if (!queued) pending_->fetch_sub(1, std::memory_order_relaxed);
    return queued;
  }

  void stop(std::chrono::milliseconds) override { stopped_.store(true, std::memory_order_relaxed); }

  std::uint64_t backlog() const override {
    const std::uint64_t outbox = relay_ != nullptr ? relay_->stats().depth : 0;
    return pending_->load(std::memory_order_relaxed) + outbox;
  }

 private:
  store::Writer& writer_;
  Relay* relay_;
  std::atomic<bool> stopped_{false};
  // Shared with the completions, which may run after the notifier is gone.
  std::shared_ptr<std::atomic<std::uint64_t>> pending_ =
      std::make_shared<std::atomic<std::uint64_t>>(0);
};

}  // namespace

std::unique_ptr<Notifier> make_outbox_notifier(store::Writer& writer, Relay* relay) {
  return std::make_unique<OutboxNotifier>(writer, relay);
}

}  // namespace irra::notify
