// The failover module as the server wires it: the health probe, the mode state machine and
// the durable record of every transition, behind one object.
//
// Start-up (before the reactor runs and before the web opens):
//   Failover f(strand, cfg.failover, start, writer);
//   f.set_apply(...);              // switch the engine (and so the web) to a mode
//   f.restore(sql);                // last persisted mode; --active/--standby made durable
//   ... the audit chain exists ...
//   f.start(audit);                // probing starts; startup transitions reach listeners
// Run time: command() from irra ctl / the admin API, status() for `irra ctl status`,
// render_prometheus() for /metrics. stop() on shutdown.
//
// --standby starts STANDBY and keeps automatic activation on: it overrides
// failover.auto_activate = false (contract section 1). --active starts ACTIVE.
//
// Thread rule: restore() runs on the main thread before the reactor; everything else on
// the trading strand given to the constructor (start() may also run before the reactor).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "irra/config/config.hpp"
#include "irra/failover/mode_service.hpp"
#include "irra/failover/probe.hpp"
#include "irra/failover/transition_store.hpp"

namespace soci {
class session;
}
namespace irra::store {
class Writer;
class AuditChain;
}  // namespace irra::store

namespace irra::failover {

// What `irra serve` was told: nothing (the last persisted mode), --active or --standby.
enum class StartOverride { none, active, standby };

class Failover {
 public:
  // Throws std::invalid_argument for an unusable probe URL (a configuration error).
  Failover(boost::asio::any_io_executor strand, const config::FailoverConfig& config,
           StartOverride start, store::Writer& writer, ProbeOptions extra = {});
  ~Failover();
  Failover(const Failover&) = delete;
  Failover& operator=(const Failover&) = delete;

  // The engine switch; called for the restored mode and after every durable transition.
  void set_apply(std::function<void(const Transition&)> apply);
  // After every durable transition (activation notifications, ...), including one made at
  // start by --active/--standby (delivered by start()).
  void on_transition(TransitionListener listener);

  // Reads the last transition on `sql`, makes the start override durable when it changes
  // the mode, and applies the result. Throws std::runtime_error when that fails.
  void restore(soci::session& sql);

  // Starts probing (when probes are configured). `audit` must outlive this object.
  void start(store::AuditChain& audit);
  void stop();

  // "activate" | "recover" | "standby" (irra ctl), answered once durable.
  void command(std::string_view cmd, std::string actor, std::string reason, CommandDone done);
  // The admin API's {"to": MODE}.
  void request(Mode to, std::string actor, std::string reason, CommandDone done);

  Mode mode() const { return service_.mode(); }
  domain::Timestamp since() const { return service_.since(); }
  bool auto_activate() const { return service_.options().auto_activate; }

  // The probe's view and the mode machine's state for `irra ctl status`.
  nlohmann::json status() const;
  // irra_probe_* and irra_mode_transitions* metrics (Prometheus text).
  void render_prometheus(std::string& out) const;

 private:
  // Hands persist() to the writer-backed store once start() made it.
  class LateStore : public TransitionStore {
   public:
    explicit LateStore(boost::asio::any_io_executor strand) : strand_(std::move(strand)) {}
    void persist(const Transition& t, PersistDone done) override;
    std::unique_ptr<WriterTransitionStore> inner;

   private:
    boost::asio::any_io_executor strand_;
  };

  void on_round(const RoundResult& round);

  boost::asio::any_io_executor strand_;
  config::FailoverConfig config_;
  StartOverride start_;
  store::Writer& writer_;
  LateStore store_;
  ModeService service_;
  std::unique_ptr<Probe> probe_;  // null: no probes configured
  std::function<void(const Transition&)> apply_;
  std::vector<TransitionListener> listeners_;
  std::optional<Transition> startup_transition_;  // made by restore(), told at start()
  std::optional<Mode> startup_mode_;              // for the metrics
  bool started_ = false;
};

}  // namespace irra::failover
