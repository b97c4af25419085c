#include "irra/failover/site_judge.hpp"

#include <algorithm>
#include <limits>

namespace irra::failover {

SiteJudge::SiteJudge(std::uint32_t fail_threshold, std::uint32_t recover_threshold)
    : fail_threshold_(std::max<std::uint32_t>(fail_threshold, 1)),
      recover_threshold_(std::max<std::uint32_t>(recover_threshold, 1)) {}

std::optional<SiteEvent> SiteJudge::observe(bool down) {
  if (down) {
    good_run_ = 0;
    if (down_run_ < std::numeric_limits<std::uint32_t>::max()) ++down_run_;
    if (down_run_ >= fail_threshold_ && state_ != SiteState::down) {
      state_ = SiteState::down;
      return SiteEvent::went_down;
    }
    return std::nullopt;
  }
  down_run_ = 0;
  if (good_run_ < std::numeric_limits<std::uint32_t>::max()) ++good_run_;
  if (good_run_ >= recover_threshold_ && state_ != SiteState::up) {
    const bool was_down = state_ == SiteState::down;
    state_ = SiteState::up;
    if (was_down) return SiteEvent::came_up;
  }
  return std::nullopt;
}

}  // namespace irra::failover
