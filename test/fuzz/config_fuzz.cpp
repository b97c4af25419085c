// libFuzzer target: arbitrary bytes into the configuration loader. Anything but a Config
// or a one-line ConfigError (a crash, another exception, a multi-line message) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "irra/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string dumped;
  bool has_env = false;
  try {
    const irra::config::Config config = irra::config::load_string(text, "fuzz.json");
    dumped = config.redacted_json();
    has_env = !config.from_env.empty();
  } catch (const irra::config::ConfigError& e) {
    for (const char* p = e.what(); *p; ++p) {
      if (*p == '\n' || *p == '\r') std::abort();
    }
    return 0;
  }
  // The effective configuration, dumped, must load back to itself (redaction included).
  if (!has_env) {
    const auto again = irra::config::load_string(dumped, "again.json");
    if (again.redacted_json() != dumped) std::abort();
  }
  return 0;
}
