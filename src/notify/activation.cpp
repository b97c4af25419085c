#include "irra/notify/activation.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

#include "irra/notify/outbox.hpp"

namespace irra::notify {
namespace {

// What the jobs of one call share, to run `done` once after the last of them.
struct Progress {
  std::atomic<std::size_t> left;
  std::mutex mutex;
  std::string error;  // guarded by mutex: the first failure
  store::WriteCompletion done;

  Progress(std::size_t jobs, store::WriteCompletion d) : left(jobs), done(std::move(d)) {}

  void failed(const std::string& why) {
    std::lock_guard lock(mutex);
    if (error.empty()) error = why;
  }
  // `n` jobs are over; the caller that ends the last one runs `done`.
  void finished(std::size_t n) {
    if (left.fetch_sub(n) != n || !done) return;
    store::WriteResult r;
    {
      std::lock_guard lock(mutex);
      r.ok = error.empty();
      r.error = error;
    }
    done(r);
  }
};

std::vector<OutboxEvent> build(const std::vector<domain::Client>& clients, std::size_t begin,
                               std::size_t end, const std::string& url,
                               const std::string& transition_id) {
  std::vector<OutboxEvent> events;
  events.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    const auto& c = clients[i];
    events.push_back(
        make_event(queue_notifications,
                   nlohmann::json{{"type", "activation"},
                                  {"ucc", c.ucc},
                                  {"mobile", c.mobile},
                                  {"email", c.email},
                                  {"url", url},
                                  {"event_id", activation_event_id(transition_id, c.ucc)}}));
  }
  return events;
}

}  // namespace

std::string activation_event_id(std::string_view transition_id, std::string_view ucc) {
  return derived_event_id("activation", {transition_id, ucc});
}

bool queue_activation_notices(store::Writer& writer, std::vector<domain::Client> clients,
                              const std::string& url, const std::string& transition_id,
                              store::WriteCompletion done, ActivationOptions options) {
  std::erase_if(clients, [](const domain::Client& c) { return !c.eligible; });
  const std::size_t per_job = std::max<std::size_t>(1, options.clients_per_job);
  const std::size_t jobs = (clients.size() + per_job - 1) / per_job;
  if (jobs == 0) {
    if (done) done(store::WriteResult{});
    return true;
  }
  auto progress = std::make_shared<Progress>(jobs, std::move(done));
  auto all = std::make_shared<const std::vector<domain::Client>>(std::move(clients));
  for (std::size_t j = 0; j < jobs; ++j) {
    const std::size_t begin = j * per_job;
    const std::size_t end = std::min(all->size(), begin + per_job);
    // Built on the writer thread at the first run and kept, so a re-run batch inserts the
    // very same rows.
    auto events = std::make_shared<std::vector<OutboxEvent>>();
    auto job = [all, begin, end, url, transition_id, events](soci::session& sql) {
      if (events->empty()) *events = build(*all, begin, end, url, transition_id);
      insert_events(sql, *events);
    };
    auto completion = [progress](const store::WriteResult& r) {
      if (!r.ok) progress->failed(r.error);
      progress->finished(1);
    };
    if (!writer.submit(std::move(job), std::move(completion))) {
      progress->failed("the database writer refused the activation notices");
      progress->finished(jobs - j);
      return false;
    }
  }
  return true;
}

}  // namespace irra::notify
