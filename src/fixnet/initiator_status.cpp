#include "irra/fixnet/initiator_status.hpp"

#include <fmt/format.h>

namespace irra::fixnet {

std::string_view to_string(initiator_phase p) noexcept {
  switch (p) {
    case initiator_phase::stopped:
      return "stopped";
    case initiator_phase::waiting:
      return "disconnected";
    case initiator_phase::connecting:
      return "connecting";
    case initiator_phase::logon_sent:
      return "logon_sent";
    case initiator_phase::active:
      return "active";
    case initiator_phase::logout_sent:
      return "logout_sent";
  }
  return "unknown";
}

nlohmann::json to_json(const initiator_status& s) {
  return {
      {"phase", to_string(s.phase)},
      {"connects", s.connects},
      {"connect_failures", s.connect_failures},
      {"logons", s.logons},
      {"disconnects", s.disconnects},
      {"last_error", s.last_error},
      {"bytes_in", s.bytes_in},
      {"bytes_out", s.bytes_out},
      {"messages_in", s.messages_in},
      {"messages_out", s.messages_out},
      {"app_messages_in", s.app_messages_in},
      {"app_messages_out", s.app_messages_out},
      {"next_in_seq", s.next_in_seq},
      {"next_out_seq", s.next_out_seq},
      {"queued_bytes", s.queued_bytes},
      {"events",
       {{"sequence_gaps", s.sequence_gaps},
        {"resend_requests_sent", s.resend_requests_sent},
        {"resend_requests_answered", s.resend_requests_answered},
        {"garbled", s.garbled},
        {"duplicates_ignored", s.duplicates_ignored},
        {"rejects_sent", s.rejects_sent},
        {"rejects_received", s.rejects_received},
        {"sequence_resets", s.sequence_resets},
        {"test_requests_sent", s.test_requests_sent}}},
  };
}

namespace {

// One metric family: HELP, TYPE, then one sample per session (and per extra label).
template <class Value>
void family(std::string& out, std::span<const initiator_status> sessions, std::string_view name,
            std::string_view type, std::string_view help, Value value) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  for (const auto& s : sessions) value(s, name);
}

}  // namespace

void render_prometheus(std::span<const initiator_status> sessions, std::string& out) {
  auto line = [&out](std::string_view name, const initiator_status& s, std::string_view extra,
                     std::uint64_t v) {
    fmt::format_to(std::back_inserter(out), "{}{{session=\"{}\"{}}} {}\n", name, s.name, extra, v);
  };
  family(out, sessions, "irra_fix_session_active", "gauge", "1 when the FIX session is logged on.",
         [&](const initiator_status& s, auto n) {
           line(n, s, "", s.phase == initiator_phase::active ? 1 : 0);
         });
  family(out, sessions, "irra_fix_connects_total", "counter", "Transport connections made.",
         [&](const initiator_status& s, auto n) { line(n, s, "", s.connects); });
  family(out, sessions, "irra_fix_connect_failures_total", "counter",
         "Connection attempts that failed.",
         [&](const initiator_status& s, auto n) { line(n, s, "", s.connect_failures); });
  family(out, sessions, "irra_fix_disconnects_total", "counter", "Established connections lost.",
         [&](const initiator_status& s, auto n) { line(n, s, "", s.disconnects); });
  family(out, sessions, "irra_fix_bytes_total", "counter", "Bytes received and written.",
         [&](const initiator_status& s, auto n) {
           line(n, s, ",direction=\"in\"", s.bytes_in);
           line(n, s, ",direction=\"out\"", s.bytes_out);
         });
  family(out, sessions, "irra_fix_messages_total", "counter", "FIX messages received and sent.",
         [&](const initiator_status& s, auto n) {
           line(n, s, ",direction=\"in\"", s.messages_in);
           line(n, s, ",direction=\"out\"", s.messages_out);
         });
  family(out, sessions, "irra_fix_application_messages_total", "counter",
         "Application messages delivered to IRRA and sent by it.",
         [&](const initiator_status& s, auto n) {
           line(n, s, ",direction=\"in\"", s.app_messages_in);
           line(n, s, ",direction=\"out\"", s.app_messages_out);
         });
  family(out, sessions, "irra_fix_next_seq", "gauge", "Next expected / next outbound MsgSeqNum.",
         [&](const initiator_status& s, auto n) {
           line(n, s, ",direction=\"in\"", s.next_in_seq);
           line(n, s, ",direction=\"out\"", s.next_out_seq);
         });
  family(out, sessions, "irra_fix_queued_bytes", "gauge",
         "Bytes waiting for the socket or for durability.",
         [&](const initiator_status& s, auto n) { line(n, s, "", s.queued_bytes); });
  family(out, sessions, "irra_fix_sequence_gaps_total", "counter", "Inbound MsgSeqNum gaps.",
         [&](const initiator_status& s, auto n) { line(n, s, "", s.sequence_gaps); });
  family(out, sessions, "irra_fix_resend_requests_total", "counter",
         "ResendRequests sent by IRRA and answered by it.", [&](const initiator_status& s, auto n) {
           line(n, s, ",direction=\"sent\"", s.resend_requests_sent);
           line(n, s, ",direction=\"answered\"", s.resend_requests_answered);
         });
  family(out, sessions, "irra_fix_garbled_total", "counter", "Garbled inbound messages skipped.",
         [&](const initiator_status& s, auto n) { line(n, s, "", s.garbled); });
  family(out, sessions, "irra_fix_duplicates_total", "counter",
         "PossDup messages below the expected MsgSeqNum, ignored.",
         [&](const initiator_status& s, auto n) { line(n, s, "", s.duplicates_ignored); });
  family(out, sessions, "irra_fix_rejects_total", "counter", "Session-level Rejects.",
         [&](const initiator_status& s, auto n) {
           line(n, s, ",direction=\"sent\"", s.rejects_sent);
           line(n, s, ",direction=\"received\"", s.rejects_received);
         });
  family(out, sessions, "irra_fix_sequence_resets_total", "counter",
         "SequenceReset (GapFill or Reset) received.",
         [&](const initiator_status& s, auto n) { line(n, s, "", s.sequence_resets); });
  family(out, sessions, "irra_fix_test_requests_total", "counter", "TestRequests sent.",
         [&](const initiator_status& s, auto n) { line(n, s, "", s.test_requests_sent); });
}

}  // namespace irra::fixnet
