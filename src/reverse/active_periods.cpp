// The periods the service was ACTIVE, from the table mode_transitions.
#include <soci/soci.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "irra/reverse/records.hpp"

namespace irra::reverse {
namespace {

bool is_active(std::string_view mode) {
  constexpr std::string_view active = "active";
  return mode.size() == active.size() &&
         std::equal(mode.begin(), mode.end(), active.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace

std::vector<ActivePeriod> active_periods(const std::vector<ModeTransition>& transitions) {
  std::vector<ActivePeriod> out;
  bool open = false;
  for (std::size_t i = 0; i < transitions.size(); ++i) {
    const auto& t = transitions[i];
    // Nothing recorded before a first transition from ACTIVE: ACTIVE since ever.
    if (i == 0 && is_active(t.from_mode)) {
      out.push_back(ActivePeriod{0, std::nullopt});
      open = true;
    }
    if (is_active(t.to_mode)) {
      if (!open) out.push_back(ActivePeriod{t.at, std::nullopt});
      open = true;
    } else if (open) {
      out.back().to = std::max(t.at, out.back().from);  // a clock set back: an empty period
      open = false;
    }
  }
  return out;
}

std::vector<ModeTransition> read_mode_transitions(soci::session& sql) {
  std::vector<ModeTransition> out;
  long long id = 0;
  std::string at, from, to;
  soci::statement st = (sql.prepare << "SELECT id, at, from_mode, to_mode FROM mode_transitions"
                                       " ORDER BY id",
                        soci::into(id), soci::into(at), soci::into(from), soci::into(to));
  st.execute();
  while (st.fetch()) {
    const auto when = domain::parse_iso8601(at);
    if (!when) {
      throw std::runtime_error("mode_transitions row " + std::to_string(id) + ": bad time '" + at +
                               "'");
    }
    out.push_back(ModeTransition{id, *when, from, to});
  }
  return out;
}

}  // namespace irra::reverse
