// Turns probe rounds into a judgement of the main site, without flapping: it is judged
// down after `fail_threshold` consecutive down rounds and up after `recover_threshold`
// consecutive good rounds; one round the other way resets the count. Only a change of
// judgement is an event, and "came up" only counts after "down": a site first seen
// healthy (unknown -> up) changes nothing, so a forced ACTIVE is not undone by a site
// that was never seen down.
//
// Thread rule: a plain value; used on the trading strand by ModeService.
#pragma once

#include <cstdint>
#include <optional>

#include "irra/failover/mode.hpp"

namespace irra::failover {

class SiteJudge {
 public:
  SiteJudge(std::uint32_t fail_threshold, std::uint32_t recover_threshold);

  // One finished round (`down`: a strict majority of the targets failed).
  std::optional<SiteEvent> observe(bool down);

  // At start, when the restored mode was entered because the probe saw the site down:
  // the next healthy stretch then leads to RECOVERY as it would have without a restart.
  void assume_down() { state_ = SiteState::down; }

  SiteState state() const { return state_; }
  std::uint32_t consecutive_down() const { return down_run_; }
  std::uint32_t consecutive_good() const { return good_run_; }
  std::uint32_t fail_threshold() const { return fail_threshold_; }
  std::uint32_t recover_threshold() const { return recover_threshold_; }

 private:
  std::uint32_t fail_threshold_;
  std::uint32_t recover_threshold_;
  SiteState state_ = SiteState::unknown;
  std::uint32_t down_run_ = 0;
  std::uint32_t good_run_ = 0;
};

}  // namespace irra::failover
