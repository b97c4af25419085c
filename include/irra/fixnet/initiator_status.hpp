// What one FIX initiator reports for /metrics and `irra ctl status`: a plain snapshot,
// copied out of the initiator (see Initiator::status(), callable from any thread).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

namespace irra::fixnet {

// stopped: not started or stop() finished; waiting: disconnected, a reconnect is
// scheduled; connecting: resolving, connecting or in the TLS handshake; then the FIX
// session's own phases.
enum class initiator_phase : std::uint8_t {
  stopped,
  waiting,
  connecting,
  logon_sent,
  active,
  logout_sent,
};
// "stopped", "disconnected" (for waiting), "connecting", "logon_sent", "active", "logout_sent".
std::string_view to_string(initiator_phase p) noexcept;

struct initiator_status {
  std::string name;  // the session's name, e.g. "order_entry"
  initiator_phase phase = initiator_phase::stopped;
  std::uint64_t connects = 0;          // transport connections established (TCP + TLS)
  std::uint64_t connect_failures = 0;  // attempts that failed before being connected
  std::uint64_t logons = 0;            // Logon exchanges completed
  std::uint64_t disconnects = 0;       // established connections lost or closed
  std::string last_error;              // why the last connection ended or failed; "" if none
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;         // written to the socket
  std::uint64_t messages_in = 0;       // complete messages received (any type)
  std::uint64_t messages_out = 0;      // messages handed to the socket's queue
  std::uint64_t app_messages_in = 0;   // delivered to the handler
  std::uint64_t app_messages_out = 0;  // sent by send_application()
  std::uint64_t next_in_seq = 1;
  std::uint64_t next_out_seq = 1;
  std::uint64_t queued_bytes = 0;  // waiting for the socket (or for durability)
  // FIX session events (fix::session_event), counted.
  std::uint64_t sequence_gaps = 0;
  std::uint64_t resend_requests_sent = 0;
  std::uint64_t resend_requests_answered = 0;
  std::uint64_t garbled = 0;
  std::uint64_t duplicates_ignored = 0;
  std::uint64_t rejects_sent = 0;
  std::uint64_t rejects_received = 0;
  std::uint64_t sequence_resets = 0;
  std::uint64_t test_requests_sent = 0;
};

// For `irra ctl status`: {"phase", "connects", ..., "events": {"sequence_gaps", ...}}.
nlohmann::json to_json(const initiator_status& s);

// Appends the Prometheus text exposition of the sessions' counters (irra_fix_*, one
// series per session label) to `out`.
void render_prometheus(std::span<const initiator_status> sessions, std::string& out);

}  // namespace irra::fixnet
