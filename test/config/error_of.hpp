// Test helper: the one-line message a configuration is refused with.
#pragma once

#include <string>
#include <string_view>

#include "irra/config/config.hpp"

namespace irra::config::test {

// The ConfigError message for `json` (source name "t.json"), or "accepted".
inline std::string error_of(std::string_view json) {
  try {
    load_string(json, "t.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace irra::config::test
