#include "irra/failover/mode.hpp"

namespace irra::failover {

std::string_view name(Mode mode) {
  switch (mode) {
    case Mode::standby:
      return "standby";
    case Mode::active:
      return "active";
    case Mode::recovery:
      return "recovery";
  }
  return "standby";
}

std::optional<Mode> parse_mode(std::string_view text) {
  for (Mode m : {Mode::standby, Mode::active, Mode::recovery}) {
    if (text == name(m)) return m;
  }
  return std::nullopt;
}

std::string_view name(Trigger trigger) {
  switch (trigger) {
    case Trigger::startup:
      return "startup";
    case Trigger::probe:
      return "probe";
    case Trigger::command:
      return "command";
  }
  return "command";
}

std::optional<Trigger> parse_trigger(std::string_view text) {
  for (Trigger t : {Trigger::startup, Trigger::probe, Trigger::command}) {
    if (text == name(t)) return t;
  }
  return std::nullopt;
}

std::string_view name(SiteState state) {
  switch (state) {
    case SiteState::unknown:
      return "unknown";
    case SiteState::up:
      return "up";
    case SiteState::down:
      return "down";
  }
  return "unknown";
}

std::optional<Mode> automatic_target(Mode current, SiteEvent event, bool auto_activate) {
  if (event == SiteEvent::went_down) {
    if (current == Mode::active || !auto_activate) return std::nullopt;
    return Mode::active;  // from STANDBY, or from RECOVERY when the main site fails again
  }
  // The main site is healthy again: the backup stops taking new work. From STANDBY or
  // RECOVERY there is nothing to do; RECOVERY -> STANDBY is for staff to decide.
  if (current == Mode::active) return Mode::recovery;
  return std::nullopt;
}

CommandCheck check_command(Mode current, Mode to) {
  if (current == to) {
    return {false, "already_in_mode", "the service is already " + std::string(name(to))};
  }
  switch (to) {
    case Mode::active:  // from STANDBY or RECOVERY
      return {true, {}, {}};
    case Mode::recovery:
      if (current == Mode::active) return {true, {}, {}};
      return {false, "invalid_transition",
              "recover applies to an ACTIVE service only (it is standby: nothing to recover)"};
    case Mode::standby:
      if (current == Mode::recovery) return {true, {}, {}};
      // ACTIVE -> STANDBY would skip RECOVERY, where pending backup orders are still
      // tracked and reverse migration happens.
      return {false, "invalid_transition",
              "the service is active: go through recovery first (irra ctl recover), then "
              "standby"};
  }
  return {false, "invalid_transition", "unknown mode"};
}

std::optional<Mode> command_target(std::string_view command) {
  if (command == "activate") return Mode::active;
  if (command == "recover") return Mode::recovery;
  if (command == "standby") return Mode::standby;
  return std::nullopt;
}

}  // namespace irra::failover
