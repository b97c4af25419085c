#include "irra/failover/mode_service.hpp"

#include <spdlog/spdlog.h>

#include <exception>

#include "irra/domain/utf8.hpp"

namespace net = boost::asio;

namespace irra::failover {
namespace {

constexpr std::size_t max_reason_chars = 512;

}  // namespace

std::string clean_reason(std::string_view text) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size() && chars < max_reason_chars; ++chars) {
    const std::size_t n = domain::utf8_sequence_length(text, i);
    if (n == 0) {
      out += '?';
      ++i;
    } else if (n == 1 && (static_cast<unsigned char>(text[i]) < 0x20 || text[i] == 0x7F)) {
      out += ' ';
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

nlohmann::json CommandResult::to_json() const {
  nlohmann::json j{{"ok", ok}, {"mode", name(mode)}, {"since", domain::format_iso8601(since)}};
  if (!ok) {
    j["error"] = error;
    j["message"] = message;
  }
  if (transition) {
    j["from"] = name(transition->from);
    j["trigger"] = name(transition->trigger);
    j["actor"] = transition->actor;
    j["reason"] = transition->reason;
  }
  return j;
}

ModeService::ModeService(net::any_io_executor strand, TransitionStore& store, ModeOptions options)
    : strand_(std::move(strand)),
      store_(store),
      options_(std::move(options)),
      judge_(options_.fail_threshold, options_.recover_threshold),
      retry_timer_(strand_) {
  since_ = now();
}

ModeService::~ModeService() = default;

domain::Timestamp ModeService::now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void ModeService::restore(const std::optional<Transition>& last, domain::Timestamp fresh_since) {
  last_ = last;
  mode_ = last ? last->to : Mode::standby;
  since_ = last ? last->at : fresh_since;
  if (last && last->to == Mode::active && last->trigger == Trigger::probe) judge_.assume_down();
}

void ModeService::on_round(bool down, const std::string& detail) {
  const auto event = judge_.observe(down);
  if (!event) return;
  Work w;
  w.event = *event;
  w.actor = "system:probe";
  if (*event == SiteEvent::went_down) {
    spdlog::warn("failover: main site judged DOWN after {} consecutive failed probe rounds{}{}",
                 judge_.fail_threshold(), detail.empty() ? "" : ": ", detail);
    w.reason = "main site down: " + std::to_string(judge_.fail_threshold()) +
               " consecutive failed probe rounds" + (detail.empty() ? "" : " (" + detail + ")");
  } else {
    spdlog::warn("failover: main site judged UP again after {} consecutive good probe rounds",
                 judge_.recover_threshold());
    w.reason = "main site healthy again: " + std::to_string(judge_.recover_threshold()) +
               " consecutive good probe rounds";
  }
  w.reason = clean_reason(w.reason);
  enqueue(std::move(w));
}

void ModeService::request(Mode to, std::string actor, std::string reason, CommandDone done) {
  Work w;
  w.to = to;
  w.actor = std::move(actor);
  w.reason = clean_reason(reason);
  w.done = std::move(done);
  if (stopped_) {
    ++stats_.commands_refused;
    return answer(w, refusal("stopping", "the server is stopping"));
  }
  if (queue_.size() >= options_.queue_limit) {
    ++stats_.commands_refused;
    return answer(w, refusal("busy", "too many mode changes waiting; try again"));
  }
  enqueue(std::move(w));
}

void ModeService::stop() {
  stopped_ = true;
  retry_timer_.cancel();
  auto waiting = std::move(queue_);
  queue_.clear();
  for (auto& w : waiting) answer(w, refusal("stopping", "the server is stopping"));
}

void ModeService::enqueue(Work work, bool front) {
  if (stopped_) return answer(work, refusal("stopping", "the server is stopping"));
  if (front) {
    queue_.push_front(std::move(work));
  } else {
    queue_.push_back(std::move(work));
  }
  pump();
}

bool ModeService::event_still_holds(SiteEvent event) const {
  return event == SiteEvent::went_down ? judge_.state() == SiteState::down
                                       : judge_.state() == SiteState::up;
}

void ModeService::pump() {
  while (!in_flight_ && !queue_.empty() && !stopped_) {
    Work w = std::move(queue_.front());
    queue_.pop_front();
    Transition t;
    t.at = now();
    t.from = mode_;
    t.actor = w.actor;
    t.reason = w.reason;
    if (w.event) {
      // The judgement may have turned back while this waited behind another transition.
      if (!event_still_holds(*w.event)) continue;
      const auto to = automatic_target(mode_, *w.event, options_.auto_activate);
      if (!to) {
        if (*w.event == SiteEvent::went_down && mode_ != Mode::active) {
          ++stats_.activations_held;
          spdlog::warn(
              "failover: main site is down but failover.auto_activate is off: staying {}; "
              "activate with 'irra ctl activate --reason ...'",
              name(mode_));
        }
        continue;
      }
      t.to = *to;
      t.trigger = Trigger::probe;
    } else {
      const auto check = check_command(mode_, w.to);
      if (!check.ok) {
        ++stats_.commands_refused;
        spdlog::info("failover: {} asked for {} while {}: refused ({})", w.actor, name(w.to),
                     name(mode_), check.error);
        answer(w, refusal(check.error, check.message));
        continue;
      }
      t.to = w.to;
      t.trigger = Trigger::command;
    }
    begin(std::move(w), std::move(t));
  }
}

void ModeService::begin(Work work, Transition t) {
  in_flight_ = true;
  spdlog::info("failover: recording mode change {} -> {} ({}, {})", name(t.from), name(t.to),
               name(t.trigger), t.actor);
  auto shared = std::make_shared<Work>(std::move(work));
  store_.persist(t, [this, alive = std::weak_ptr<int>(alive_), shared, t](const PersistResult& r) {
    if (alive.expired()) return;
    on_persisted(std::move(*shared), t, r);
  });
}

void ModeService::on_persisted(Work work, const Transition& t, const PersistResult& r) {
  in_flight_ = false;
  if (!r.ok) {
    ++stats_.persist_failures;
    spdlog::error("failover: mode change {} -> {} NOT made: {}", name(t.from), name(t.to), r.error);
    if (work.event) {
      if (!stopped_) {
        // Still wanted if the judgement stands when the timer fires (pump checks it).
        retry_timer_.expires_after(options_.retry_delay);
        retry_timer_.async_wait(
            [this, alive = std::weak_ptr<int>(alive_), w = std::make_shared<Work>(std::move(work))](
                const boost::system::error_code& ec) mutable {
              if (ec || alive.expired() || stopped_) return;
              enqueue(std::move(*w), true);
            });
      }
    } else {
      answer(work, refusal("not_durable", "the mode change could not be recorded (" + r.error +
                                              "); the mode is unchanged"));
    }
    return pump();
  }
  if (!r.audited) {
    ++stats_.audit_failures;
    spdlog::error("failover: mode change {} -> {} recorded, but its audit record failed: {}",
                  name(t.from), name(t.to), r.error);
  }
  Transition durable = t;
  durable.id = r.id;
  mode_ = durable.to;
  since_ = durable.at;
  last_ = durable;
  ++stats_.transitions[std::string(name(t.to)) + "/" + std::string(name(t.trigger))];
  spdlog::warn("failover: MODE {} -> {} ({} by {}): {}", name(t.from), name(t.to), name(t.trigger),
               t.actor, t.reason.empty() ? "-" : t.reason);
  if (apply_) apply_(durable);
  for (const auto& listener : listeners_) {
    try {
      listener(durable);
    } catch (const std::exception& e) {
      spdlog::error("failover: a mode-change listener failed: {}", e.what());
    }
  }
  CommandResult result;
  result.ok = true;
  result.mode = mode_;
  result.since = since_;
  result.transition = durable;
  answer(work, std::move(result));
  pump();
}

void ModeService::answer(const Work& work, CommandResult result) {
  if (work.done) work.done(result);
}

CommandResult ModeService::refusal(std::string error, std::string message) const {
  CommandResult r;
  r.ok = false;
  r.error = std::move(error);
  r.message = std::move(message);
  r.mode = mode_;
  r.since = since_;
  return r;
}

}  // namespace irra::failover
