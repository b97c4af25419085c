#pragma once
// Drives an initiator session_state against a scripted counterparty ("EXCH"): builds
// the counterparty's messages, feeds them as received bytes, collects what the session
// sends, and moves time forward by hand.

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "fix_test_util.hpp"
#include "irra/fix/message.hpp"
#include "irra/fix/message_store.hpp"
#include "irra/fix/parser.hpp"
#include "irra/fix/session_state.hpp"
#include "irra/fix/writer.hpp"

namespace irra::fix::test {

struct recording_handler : session_handler {
  struct app {
    std::uint64_t seq;
    std::string raw;
  };
  void on_application(const message& m, std::uint64_t seq) override {
    apps.push_back({seq, std::string(m.raw())});
  }
  void on_logon() override { ++logons; }
  void on_logout(std::string_view text) override { logouts.emplace_back(text); }
  void on_event(session_event e, std::string_view) override { events.push_back(e); }
  std::size_t count(session_event e) const {
    return static_cast<std::size_t>(std::count(events.begin(), events.end(), e));
  }
  std::vector<std::uint64_t> app_seqs() const {
    std::vector<std::uint64_t> s;
    for (const auto& a : apps) s.push_back(a.seq);
    return s;
  }
  std::vector<app> apps;
  int logons = 0;
  std::vector<std::string> logouts;
  std::vector<session_event> events;
};

// A sent message, parsed, owning its bytes.
struct sent_message {
  std::string raw;
  std::string type() const { return get(tag::msg_type); }
  std::string get(int t) const {
    message m;
    m.parse(raw);
    return std::string(m.get(t).value_or("<absent>"));
  }
  bool has(int t) const { return get(t) != "<absent>"; }
  std::uint64_t seq() const { return std::stoull(get(tag::msg_seq_num)); }
};

struct counterparty_options {
  bool poss_dup = false;
  std::optional<std::chrono::seconds> orig_sent_ago;  // 122 = SendingTime - this
  std::string sender = "EXCH";
  std::string target = "IRRA";
};

// PossDupFlag=Y, with OrigSendingTime `orig_ago` before SendingTime when given.
inline counterparty_options dup(std::optional<std::chrono::seconds> orig_ago = std::nullopt) {
  counterparty_options o;
  o.poss_dup = true;
  o.orig_sent_ago = orig_ago;
  return o;
}

inline counterparty_options sent_by(std::string sender) {
  counterparty_options o;
  o.sender = std::move(sender);
  return o;
}

class session_harness {
 public:
  session_harness() : session(config(), store, handler) {}

  static session_config config() {
    session_config c;
    c.sender_comp_id = "IRRA";
    c.target_comp_id = "EXCH";
    c.heart_bt_int = std::chrono::seconds{30};
    c.test_request_grace = std::chrono::seconds{6};
    return c;
  }

  session_time now() const { return {steady, utc}; }
  void advance(std::chrono::milliseconds d) {
    steady += d;
    utc += d;
    session.on_timer(now());
  }

  // A message from the counterparty with MsgSeqNum `seq`; body uses '|' for SOH.
  std::string from_exch(std::string_view type, std::uint64_t seq, std::string_view body = {},
                        const counterparty_options& o = {}) const {
    std::string out;
    writer w(out);
    std::optional<utc_timestamp> orig;
    if (o.orig_sent_ago) orig = utc - *o.orig_sent_ago;
    w.begin(type, header_fields{o.sender, o.target, seq, utc, o.poss_dup, false, orig});
    if (!body.empty()) w.raw_fields(soh_from_pipes(body));
    REQUIRE(w.finish());
    return out;
  }

  void feed(const std::string& bytes) {
    const std::size_t used = session.on_bytes(bytes, now());
    if (!session.disconnect_requested()) REQUIRE(used == bytes.size());
  }

  // Everything the session has sent since the last call.
  std::vector<sent_message> sent() {
    const std::string bytes = session.take_output();
    std::vector<sent_message> out;
    std::string_view rest = bytes;
    while (!rest.empty()) {
      const frame_result f = frame(rest);
      REQUIRE(f.status == frame_status::complete);
      out.push_back({std::string(f.message)});
      rest.remove_prefix(f.consumed);
    }
    return out;
  }

  // Connects, answers the Logon, and clears what was sent.
  void log_on(std::uint64_t exch_seq = 1, bool new_day = false) {
    session.on_connected(now(), new_day);
    feed(from_exch("A", exch_seq, "98=0|108=30|"));
    REQUIRE(session.phase() == session_phase::active);
    sent();
  }

  memory_message_store store;
  recording_handler handler;
  std::chrono::steady_clock::time_point steady{std::chrono::hours{1000}};
  utc_timestamp utc{std::chrono::sys_days{std::chrono::year{2024} / 3 / 15} +
                    std::chrono::hours{3} + std::chrono::minutes{45}};
  session_state session;
};

}  // namespace irra::fix::test
