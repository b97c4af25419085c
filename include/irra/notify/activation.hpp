// Activation notices (contract section 6, product.md "the main site fails"): when the service
// turns ACTIVE, every eligible client gets {"type": "activation", "ucc", "mobile", "email",
// "url", "event_id"} on irra.notifications (the broker's SMS and e-mail gateway reads it).
//
// Thread rule: queue_activation_notices() may be called from any thread (e.g. the mode
// machine's on_transition hook on the reactor): it only moves `clients` into writer jobs;
// the messages are built and inserted on the writer thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "irra/domain/client.hpp"
#include "irra/store/writer.hpp"

namespace irra::notify {

struct ActivationOptions {
  // Clients per writer job (each job is a few multi-row INSERTs of the outbox).
  std::size_t clients_per_job = 25'000;
};

// The event_id of `ucc`'s notice for the mode transition `transition_id` (e.g. the id of
// its mode_transitions row): deterministic, so queueing the same transition again (a re-run
// batch, a retry after a refusal, a restart) writes nothing twice.
std::string activation_event_id(std::string_view transition_id, std::string_view ucc);

// Queues one notice per eligible client of `clients` (the others are skipped) into the
// outbox, `url` being the investor site's public URL. Submits ceil(n / clients_per_job)
// writer jobs and returns false if the writer refused one (the jobs before it stay queued;
// calling again with the same transition_id is safe). `done`, when given, runs once on the
// writer thread after the last job has committed (ok) or any failed (not ok): pass one that
// wakes the relay (Relay::wake) so delivery starts at once.
bool queue_activation_notices(store::Writer& writer, std::vector<domain::Client> clients,
                              const std::string& url, const std::string& transition_id,
                              store::WriteCompletion done = {}, ActivationOptions options = {});

}  // namespace irra::notify
