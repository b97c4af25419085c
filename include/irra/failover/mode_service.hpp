// The service-mode state machine (mode.hpp has the rules): fed by probe rounds and by
// forced commands, it decides transitions one at a time, makes each durable through the
// TransitionStore, and only then switches the service over (the `apply` hook: engine and
// web), tells the listeners (e.g. activation notifications) and answers the command.
//
//  - Automatic moves happen when the SiteJudge's judgement changes (went down / came up),
//    never on a steady state, so a staff decision is not overridden by a probe that keeps
//    seeing the same thing.
//  - Work is handled in order: while a transition is being made durable, later rounds'
//    events and commands wait in a bounded queue and are then checked against the new mode.
//  - An automatic transition that could not be made durable (the writer refused it) is
//    tried again every retry_delay while the judgement still stands.
//
// Thread rule: every member function runs on the trading strand given to the constructor;
// the store's completions come back there. No locks.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "irra/failover/mode.hpp"
#include "irra/failover/site_judge.hpp"
#include "irra/failover/transition_store.hpp"

namespace irra::failover {

struct ModeOptions {
  bool auto_activate = true;
  std::uint32_t fail_threshold = 3;
  std::uint32_t recover_threshold = 5;
  std::size_t queue_limit = 32;  // commands and events waiting behind a transition
  std::chrono::milliseconds retry_delay{1000};
  std::function<domain::Timestamp()> clock;  // wall clock for Transition::at (tests)
};

// The answer to a command: {"ok", "mode", "since", ...} for irra ctl and the admin API.
struct CommandResult {
  bool ok = false;
  std::string error;  // "already_in_mode", "invalid_transition", "bad_request", "busy",
                      // "not_durable", "stopping"
  std::string message;
  Mode mode = Mode::standby;  // the mode after the command (unchanged when refused)
  domain::Timestamp since = 0;
  std::optional<Transition> transition;  // the transition made, when ok

  nlohmann::json to_json() const;
};
using CommandDone = std::function<void(const CommandResult&)>;
using TransitionListener = std::function<void(const Transition&)>;

struct ModeStats {
  // Durable transitions by "to/trigger" (e.g. "active/probe").
  std::map<std::string, std::uint64_t> transitions;
  std::uint64_t persist_failures = 0;  // transitions the store could not make durable
  std::uint64_t audit_failures = 0;    // durable, but the audit record was refused
  std::uint64_t commands_refused = 0;  // invalid or unavailable commands
  std::uint64_t activations_held = 0;  // main site judged down with auto_activate off
};

class ModeService {
 public:
  ModeService(boost::asio::any_io_executor strand, TransitionStore& store, ModeOptions options);
  ~ModeService();
  ModeService(const ModeService&) = delete;
  ModeService& operator=(const ModeService&) = delete;

  // Start-up, before anything else: the last durable transition (nullopt on a fresh
  // database: STANDBY since `fresh_since`). An ACTIVE entered because the probe saw the
  // main site down makes the judge assume it is still down.
  void restore(const std::optional<Transition>& last, domain::Timestamp fresh_since);

  // Switches the service over (engine and web); called after the transition is durable,
  // before the listeners and the command's answer.
  void set_apply(std::function<void(const Transition&)> apply) { apply_ = std::move(apply); }
  // Called after every durable transition (after apply), in registration order.
  void on_transition(TransitionListener listener) { listeners_.push_back(std::move(listener)); }

  // A finished probe round: `down` when a strict majority of the targets failed; `detail`
  // (which targets failed, how) goes into the reason of a transition it causes.
  void on_round(bool down, const std::string& detail = {});

  // A forced move to `to` by `actor` ("admin:ctl", "staff:NAME"), answered once durable.
  void request(Mode to, std::string actor, std::string reason, CommandDone done);

  // Stops: refuses new commands (stopping), answers the waiting ones, stops retrying.
  void stop();

  Mode mode() const { return mode_; }
  domain::Timestamp since() const { return since_; }
  const SiteJudge& judge() const { return judge_; }
  const ModeOptions& options() const { return options_; }
  const ModeStats& stats() const { return stats_; }
  bool busy() const { return in_flight_; }
  const std::optional<Transition>& last_transition() const { return last_; }

 private:
  struct Work {
    std::optional<SiteEvent> event;  // automatic, or
    Mode to = Mode::standby;         // forced
    std::string actor;
    std::string reason;
    CommandDone done;
  };

  void enqueue(Work work, bool front = false);
  void pump();
  void begin(Work work, Transition t);
  void on_persisted(Work work, const Transition& t, const PersistResult& r);
  void answer(const Work& work, CommandResult result);
  CommandResult refusal(std::string error, std::string message) const;
  bool event_still_holds(SiteEvent event) const;
  domain::Timestamp now() const;

  boost::asio::any_io_executor strand_;
  TransitionStore& store_;
  ModeOptions options_;
  SiteJudge judge_;
  Mode mode_ = Mode::standby;
  domain::Timestamp since_ = 0;
  std::optional<Transition> last_;
  std::function<void(const Transition&)> apply_;
  std::vector<TransitionListener> listeners_;
  std::deque<Work> queue_;
  bool in_flight_ = false;
  bool stopped_ = false;
  boost::asio::steady_timer retry_timer_;
  ModeStats stats_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// At most 512 characters of valid UTF-8 with control characters replaced by spaces: what
// mode_transitions.reason (VARCHAR(512)) and the logs accept.
std::string clean_reason(std::string_view text);

}  // namespace irra::failover
