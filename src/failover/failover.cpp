#include "irra/failover/failover.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

namespace net = boost::asio;
using nlohmann::json;

namespace irra::failover {
namespace {

domain::Timestamp wall_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ModeOptions mode_options(const config::FailoverConfig& c, StartOverride start) {
  ModeOptions o;
  // Contract, section 1: "--standby starts STANDBY and keeps automatic activation on".
  o.auto_activate = c.auto_activate || start == StartOverride::standby;
  o.fail_threshold = c.fail_threshold;
  o.recover_threshold = c.recover_threshold;
  return o;
}

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

double millis(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// A Prometheus label value: backslash, double quote and newline escaped.
std::string label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

json transition_json(const Transition& t) {
  return json{{"id", t.id},        {"at", domain::format_iso8601(t.at)}, {"from", name(t.from)},
              {"to", name(t.to)},  {"trigger", name(t.trigger)},         {"actor", t.actor},
              {"reason", t.reason}};
}

}  // namespace

void Failover::LateStore::persist(const Transition& t, PersistDone done) {
  if (inner) return inner->persist(t, std::move(done));
  net::post(strand_, [done = std::move(done)] {
    done(PersistResult{false, false, "the failover module is not started"});
  });
}

Failover::Failover(net::any_io_executor strand, const config::FailoverConfig& config,
                   StartOverride start, store::Writer& writer, ProbeOptions extra)
    : strand_(strand),
      config_(config),
      start_(start),
      writer_(writer),
      store_(strand),
      service_(strand, store_, mode_options(config, start)) {
  if (!config_.probes.empty()) {
    ProbeOptions po = std::move(extra);
    po.urls = config_.probes;
    po.interval = config_.interval;
    po.timeout = config_.timeout;
    probe_ = std::make_unique<Probe>(strand_, std::move(po));
  }
  service_.set_apply([this](const Transition& t) {
    if (apply_) apply_(t);
  });
  service_.on_transition([this](const Transition& t) {
    for (const auto& l : listeners_) l(t);
  });
}

Failover::~Failover() = default;

void Failover::set_apply(std::function<void(const Transition&)> apply) {
  apply_ = std::move(apply);
}

void Failover::on_transition(TransitionListener listener) {
  listeners_.push_back(std::move(listener));
}

void Failover::restore(soci::session& sql) {
  auto last = load_last_transition(sql);
  const Mode persisted = last ? last->to : Mode::standby;
  const auto wanted = start_ == StartOverride::active    ? std::optional<Mode>(Mode::active)
                      : start_ == StartOverride::standby ? std::optional<Mode>(Mode::standby)
                                                         : std::nullopt;
  if (wanted && *wanted != persisted) {
    Transition t;
    t.at = wall_now();
    t.from = persisted;
    t.to = *wanted;
    t.trigger = Trigger::startup;
    t.actor = "admin:startup";
    t.reason = *wanted == Mode::active ? "irra serve --active" : "irra serve --standby";
    if (persisted == Mode::active) {
      spdlog::warn(
          "failover: the last recorded mode was ACTIVE and --standby skips RECOVERY: run "
          "'irra reverse-migrate' for the orders and trades done while active");
    }
    t.id = persist_at_startup(writer_, t);
    spdlog::warn("failover: MODE {} -> {} ({} by {}): {}", name(t.from), name(t.to),
                 name(t.trigger), t.actor, t.reason);
    startup_transition_ = t;
    startup_mode_ = t.to;
    last = t;
  }
  service_.restore(last, wall_now());
  if (start_ == StartOverride::standby && !config_.auto_activate) {
    spdlog::warn(
        "failover: --standby keeps automatic activation on (failover.auto_activate "
        "false is overridden)");
  }
  if (!probe_) {
    spdlog::warn(
        "failover: failover.probes is empty: no automatic activation; modes change "
        "only by 'irra ctl' or the admin terminal");
  }
  spdlog::info("failover: mode {} since {}{}; automatic activation {}", name(service_.mode()),
               domain::format_iso8601(service_.since()),
               last ? fmt::format(" ({} by {})", name(last->trigger), last->actor)
                    : std::string(" (fresh database)"),
               service_.options().auto_activate ? "on" : "off");
  if (apply_) {
    apply_(last ? *last
                : Transition{service_.since(), Mode::standby, Mode::standby, Trigger::startup,
                             "system", "", 0});
  }
}

void Failover::start(store::AuditChain& audit) {
  store_.inner = std::make_unique<WriterTransitionStore>(writer_, audit, strand_);
  started_ = true;
  if (startup_transition_) {
    net::post(strand_, [this, t = *startup_transition_] {
      for (const auto& l : listeners_) l(t);
    });
    startup_transition_.reset();
  }
  if (probe_) {
    spdlog::info(
        "failover: probing {} target(s) every {} ms (timeout {} ms); main site down "
        "after {} failed rounds, up after {} good rounds",
        probe_->targets().size(), config_.interval.count(), config_.timeout.count(),
        config_.fail_threshold, config_.recover_threshold);
    net::post(strand_, [this] {
      if (started_) probe_->start([this](const RoundResult& r) { on_round(r); });
    });
  }
}

void Failover::stop() {
  started_ = false;
  if (probe_) probe_->stop();
  service_.stop();
}

void Failover::on_round(const RoundResult& round) {
  std::string detail;
  if (round.failed > 0) {
    detail = fmt::format("{} of {} targets failing", round.failed, round.results.size());
    const auto& targets = probe_->targets();
    for (std::size_t i = 0; i < round.results.size(); ++i) {
      if (round.results[i].outcome == Outcome::ok) continue;
      detail += fmt::format("; {}: {}", targets[i].url, round.results[i].error);
    }
  }
  service_.on_round(round.down, detail);
}

void Failover::command(std::string_view cmd, std::string actor, std::string reason,
                       CommandDone done) {
  const auto to = command_target(cmd);
  if (!to) {
    CommandResult r;
    r.error = "bad_request";
    r.message = "unknown mode command '" + std::string(cmd) + "' (activate, recover, standby)";
    r.mode = service_.mode();
    r.since = service_.since();
    return done(r);
  }
  request(*to, std::move(actor), std::move(reason), std::move(done));
}

void Failover::request(Mode to, std::string actor, std::string reason, CommandDone done) {
  service_.request(to, std::move(actor), std::move(reason), std::move(done));
}

json Failover::status() const {
  const auto& judge = service_.judge();
  json j{{"mode", name(service_.mode())},
         {"since", domain::format_iso8601(service_.since())},
         {"changing", service_.busy()},
         {"auto_activate", service_.options().auto_activate},
         {"main_site", name(judge.state())},
         {"consecutive_down_rounds", judge.consecutive_down()},
         {"consecutive_good_rounds", judge.consecutive_good()},
         {"fail_threshold", judge.fail_threshold()},
         {"recover_threshold", judge.recover_threshold()},
         {"interval_ms", config_.interval.count()},
         {"timeout_ms", config_.timeout.count()}};
  if (const auto& last = service_.last_transition()) j["last_transition"] = transition_json(*last);
  json probes = json::array();
  if (probe_) {
    const auto& s = probe_->stats();
    j["rounds"] = s.rounds;
    j["rounds_down"] = s.rounds_down;
    if (s.rounds > 0) {
      j["last_round_at"] = domain::format_iso8601(s.last_round_at);
      j["last_round_ms"] = millis(s.last_round_latency);
    }
    for (const auto& t : s.targets) {
      json p{{"url", t.url}};
      if (t.seen) {
        p["last"] = name(t.last.outcome);
        if (t.last.status != 0) p["status"] = t.last.status;
        p["latency_ms"] = millis(t.last.latency);
        if (!t.last.error.empty()) p["error"] = t.last.error;
      }
      json results = json::object();
      for (std::size_t i = 0; i < outcome_count; ++i) {
        if (t.results[i] > 0) results[std::string(name(static_cast<Outcome>(i)))] = t.results[i];
      }
      p["results"] = std::move(results);
      probes.push_back(std::move(p));
    }
  }
  j["probes"] = std::move(probes);
  return j;
}

void Failover::render_prometheus(std::string& out) const {
  const auto& judge = service_.judge();
  out +=
      "# HELP irra_probe_results_total Health checks of the main site by target and result.\n"
      "# TYPE irra_probe_results_total counter\n";
  if (probe_) {
    for (const auto& t : probe_->stats().targets) {
      for (std::size_t i = 0; i < outcome_count; ++i) {
        out += fmt::format("irra_probe_results_total{{target=\"{}\",result=\"{}\"}} {}\n",
                           label(t.url), name(static_cast<Outcome>(i)), t.results[i]);
      }
    }
    out +=
        "# HELP irra_probe_latency_seconds The last check's duration by target.\n"
        "# TYPE irra_probe_latency_seconds gauge\n";
    for (const auto& t : probe_->stats().targets) {
      out += fmt::format("irra_probe_latency_seconds{{target=\"{}\"}} {:.6f}\n", label(t.url),
                         seconds(t.last.latency));
    }
    const auto& s = probe_->stats();
    out += fmt::format(
        "# HELP irra_probe_rounds_total Probe rounds by result (down: a majority of targets "
        "failed).\n# TYPE irra_probe_rounds_total counter\n"
        "irra_probe_rounds_total{{result=\"good\"}} {}\nirra_probe_rounds_total{{result=\"down\"}} "
        "{}\n",
        s.rounds - s.rounds_down, s.rounds_down);
    out += fmt::format(
        "# HELP irra_probe_round_latency_seconds The last round's duration (start to last "
        "answer).\n# TYPE irra_probe_round_latency_seconds gauge\n"
        "irra_probe_round_latency_seconds {:.6f}\n",
        seconds(s.last_round_latency));
  }
  out += fmt::format(
      "# HELP irra_probe_main_site_up 0 once the main site is judged down (fail_threshold "
      "failed rounds), else 1.\n# TYPE irra_probe_main_site_up gauge\nirra_probe_main_site_up "
      "{}\n",
      judge.state() == SiteState::down ? 0 : 1);
  out +=
      "# HELP irra_probe_main_site_state The probe's judgement of the main site.\n"
      "# TYPE irra_probe_main_site_state gauge\n";
  for (SiteState st : {SiteState::unknown, SiteState::up, SiteState::down}) {
    out += fmt::format("irra_probe_main_site_state{{state=\"{}\"}} {}\n", name(st),
                       judge.state() == st ? 1 : 0);
  }
  out += fmt::format(
      "# HELP irra_probe_consecutive_down_rounds Down rounds in a row (the main site is judged "
      "down at fail_threshold).\n# TYPE irra_probe_consecutive_down_rounds gauge\n"
      "irra_probe_consecutive_down_rounds {}\n"
      "# HELP irra_probe_consecutive_good_rounds Good rounds in a row.\n"
      "# TYPE irra_probe_consecutive_good_rounds gauge\nirra_probe_consecutive_good_rounds {}\n",
      judge.consecutive_down(), judge.consecutive_good());
  const auto& ms = service_.stats();
  out +=
      "# HELP irra_mode_transitions_total Durable mode transitions since start, by target "
      "mode and trigger.\n# TYPE irra_mode_transitions_total counter\n";
  for (Mode m : {Mode::standby, Mode::active, Mode::recovery}) {
    for (Trigger t : {Trigger::startup, Trigger::probe, Trigger::command}) {
      const auto it = ms.transitions.find(std::string(name(m)) + "/" + std::string(name(t)));
      const std::uint64_t n = (it == ms.transitions.end() ? 0 : it->second) +
                              (t == Trigger::startup && startup_mode_ == m ? 1 : 0);
      out += fmt::format("irra_mode_transitions_total{{to=\"{}\",trigger=\"{}\"}} {}\n", name(m),
                         name(t), n);
    }
  }
  out += fmt::format(
      "# HELP irra_mode_since_seconds When the current mode began (Unix time).\n"
      "# TYPE irra_mode_since_seconds gauge\nirra_mode_since_seconds {:.6f}\n"
      "# HELP irra_mode_transition_failures_total Transitions that could not be made durable.\n"
      "# TYPE irra_mode_transition_failures_total counter\n"
      "irra_mode_transition_failures_total {}\n"
      "# HELP irra_mode_audit_failures_total Durable transitions whose audit record failed.\n"
      "# TYPE irra_mode_audit_failures_total counter\nirra_mode_audit_failures_total {}\n"
      "# HELP irra_mode_commands_refused_total Mode commands refused (invalid, busy, "
      "stopping).\n# TYPE irra_mode_commands_refused_total counter\n"
      "irra_mode_commands_refused_total {}\n"
      "# HELP irra_mode_activations_held_total The main site judged down while automatic "
      "activation is off.\n# TYPE irra_mode_activations_held_total counter\n"
      "irra_mode_activations_held_total {}\n"
      "# HELP irra_failover_auto_activate 1 when the main site's failure activates the "
      "service by itself.\n# TYPE irra_failover_auto_activate gauge\n"
      "irra_failover_auto_activate {}\n",
      static_cast<double>(service_.since()) / 1e6, ms.persist_failures, ms.audit_failures,
      ms.commands_refused, ms.activations_held, service_.options().auto_activate ? 1 : 0);
}

}  // namespace irra::failover
