// The simulator's command line (interfaces.md section 1, plus the extras documented in
// docs/simulator.md). Parsing is a pure function so that tests can check every refusal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace irra::sim {

struct host_port {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

struct sim_options {
  host_port listen{"127.0.0.1", 9878};         // --listen: the FIX acceptor
  std::filesystem::path dump;                  // --dump DIR
  host_port health_listen{"127.0.0.1", 9100};  // --health-listen: /health and /control
  std::uint64_t flow_rate = 0;                 // --flow-rate: main-site reports per second
  std::uint64_t seed = 1;                      // --seed
  std::uint64_t flow_count = 0;                // --flow-count: stop after K reports (0 = never)
  std::filesystem::path journal;               // --journal FILE (empty = none)
  std::uint64_t walk_ms = 200;                 // --walk-ms: price step period (0 = frozen)
  bool virtual_clock = false;                  // --virtual-clock: replayable day (see docs)
  std::uint64_t resend_window = 4'000'000;     // --resend-window: messages kept per session
  std::string log_level = "info";              // --log-level
};

struct parse_outcome {
  std::optional<sim_options> options;  // set when the simulator should run
  int exit_code = 0;                   // otherwise: 0 (--help, --version) or 2 (usage)
  std::string message;                 // what to print (help text, or one error line)
};

parse_outcome parse_command_line(const std::vector<std::string>& args);

// "127.0.0.1:9878" -> host and port; nullopt on anything else (port 0 allowed: any port).
std::optional<host_port> parse_host_port(const std::string& text);

}  // namespace irra::sim
