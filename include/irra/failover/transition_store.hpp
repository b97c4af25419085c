// Where mode transitions become durable: a row in mode_transitions (schema migration 3)
// and a "mode.change" record in the audit trail, in that order. A restarted server comes
// back in the last row's to_mode.
//
// Thread rule: TransitionStore::persist() is called on the trading strand and completes
// there. WriterTransitionStore writes through the store::Writer thread (jobs are
// idempotent: a re-run batch inserts the row once). The free functions use the caller's
// session on the caller's thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "irra/failover/mode.hpp"

namespace soci {
class session;
}
namespace irra::store {
class Writer;
class AuditChain;
struct AuditEvent;
}  // namespace irra::store

namespace irra::failover {

struct PersistResult {
  bool ok = false;       // the mode_transitions row is committed: the switch may happen
  bool audited = false;  // its audit record is committed too
  std::string error;     // why not (for the log and the ctl answer)
  std::int64_t id = 0;   // the row's id when ok
};
using PersistDone = std::function<void(const PersistResult&)>;

class TransitionStore {
 public:
  virtual ~TransitionStore() = default;
  // Makes `t` durable and then calls `done` (on the caller's strand, never inline).
  virtual void persist(const Transition& t, PersistDone done) = 0;
};

class WriterTransitionStore : public TransitionStore {
 public:
  // `strand` receives the completions. `audit` is the server's one AuditChain.
  WriterTransitionStore(store::Writer& writer, store::AuditChain& audit,
                        boost::asio::any_io_executor strand);
  ~WriterTransitionStore() override;

  // The row first; once it is committed, the audit record. ok=false when the writer refuses
  // the row (full or stopping) or the job fails; a refused audit record gives ok=true,
  // audited=false (the row is the source of truth: the switch goes ahead, and it is logged).
  void persist(const Transition& t, PersistDone done) override;

 private:
  store::Writer& writer_;
  store::AuditChain& audit_;
  boost::asio::any_io_executor strand_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// The audit record of a transition: type "mode.change", actor t.actor, ts t.at, detail
// {"from", "to", "trigger", "reason"}.
store::AuditEvent audit_event(const Transition& t);

// Inserts the row unless an identical one (same at, from, to, trigger, actor) exists;
// returns its id.
std::int64_t insert_transition(soci::session& sql, const Transition& t);

// The newest row, or nullopt when there is none (a fresh database). Throws
// std::runtime_error naming the row when it holds an unknown mode, trigger or time.
std::optional<Transition> load_last_transition(soci::session& sql);

// Start-up, before the reactor runs and before any AuditChain exists: the row and its
// audit record in ONE writer job (the record appended with AuditChain::append_in, which
// reads the chain head itself), waiting for the commit. Throws std::runtime_error when
// it cannot be made durable. Returns the row's id.
std::int64_t persist_at_startup(store::Writer& writer, const Transition& t);

}  // namespace irra::failover
