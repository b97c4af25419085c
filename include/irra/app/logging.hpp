// Process-wide logging set-up: spdlog to stderr (journald captures it under systemd),
// as text for people or one JSON object per line for journald/CloudWatch.
//
// Thread rule: call setup_logging() once at start-up, before any other thread exists;
// spdlog's default logger is thread-safe after that.
#pragma once

#include <string_view>

namespace irra::app {

enum class LogFormat { text, json };

// level: trace|debug|info|warn|error (validated by the configuration loader).
void setup_logging(std::string_view level, LogFormat format);

}  // namespace irra::app
