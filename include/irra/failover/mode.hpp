// The service modes (STANDBY, ACTIVE, RECOVERY), what moves between them, and the rules
// that say which moves are allowed: pure values and functions, no I/O.
//
//   STANDBY  -> ACTIVE    the main site judged down (auto_activate), or forced
//   ACTIVE   -> RECOVERY  the main site judged healthy again, or forced
//   RECOVERY -> ACTIVE    the main site judged down again (auto_activate), or forced
//   RECOVERY -> STANDBY   staff only
// Refused: ACTIVE -> STANDBY ("go through recovery first"), STANDBY -> RECOVERY, and any
// move to the mode the service is already in. docs/operations.md has the full table.
//
// Thread rule: pure functions and values, safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "irra/domain/timestamp.hpp"

namespace irra::failover {

enum class Mode { standby, active, recovery };

// "standby", "active", "recovery" (the contract's spelling in /api/v1/status).
std::string_view name(Mode mode);
std::optional<Mode> parse_mode(std::string_view text);

// What caused a transition: the operator's --active/--standby at start, the health probe,
// or a command at run time (irra ctl, the admin terminal).
enum class Trigger { startup, probe, command };
std::string_view name(Trigger trigger);
std::optional<Trigger> parse_trigger(std::string_view text);

struct Transition {
  domain::Timestamp at = 0;  // when it was decided; the mode's "since" once it is durable
  Mode from = Mode::standby;
  Mode to = Mode::standby;
  Trigger trigger = Trigger::command;
  std::string actor;    // "system:probe", "admin:ctl", "admin:startup", "staff:NAME"
  std::string reason;   // free text (at most 512 characters are stored)
  std::int64_t id = 0;  // its mode_transitions row once durable (0 before): a stable key
};

// The main site as the probe judges it. unknown: not yet enough consecutive rounds either
// way since the start.
enum class SiteState { unknown, up, down };
std::string_view name(SiteState state);

// A change of the probe's judgement; only these move the mode by themselves.
enum class SiteEvent { went_down, came_up };

// The mode an automatic event leads to from `current`, or nullopt when it changes nothing
// (already ACTIVE when the site goes down, STANDBY when it comes up, or auto_activate off).
std::optional<Mode> automatic_target(Mode current, SiteEvent event, bool auto_activate);

// A forced move (irra ctl activate|recover|standby, the admin terminal's "to").
struct CommandCheck {
  bool ok = false;
  std::string error;    // "already_in_mode" or "invalid_transition" when !ok
  std::string message;  // what to do instead
};
CommandCheck check_command(Mode current, Mode to);

// The ctl verbs: "activate" -> active, "recover" -> recovery, "standby" -> standby.
std::optional<Mode> command_target(std::string_view command);

}  // namespace irra::failover
