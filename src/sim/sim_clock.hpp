// The one place the simulator reads the clocks (the session layer takes time as input).
#pragma once

#include <chrono>

#include "irra/fix/session_state.hpp"

namespace irra::sim {

inline fix::session_time clock_now() {
  return {std::chrono::steady_clock::now(),
          std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now())};
}

}  // namespace irra::sim
