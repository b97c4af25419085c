// Staff sessions of the admin terminal and the login rate limits in front of them
// (docs/admin-api.md "Accounts, roles and login"). Pure logic: no I/O; the caller passes
// the time, checks passwords through staff::Authenticator and feeds sync() with the
// accounts it reads every few seconds (so `irra staff disable|reset` ends sessions).
//
// Thread rule: NOT thread-safe. The owner serialises every call (one strand), and a
// pointer returned by find() is used only until the next non-const call.
//
// Secrets: session tokens are kept only as a keyed hash (BLAKE2b, per-process key), the
// session map's key; a restart ends every session. Rate-limit keys are keyed hashes of the
// (lower-cased) user name and of the source address (IPv6 by its /64).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "irra/staff/accounts.hpp"
#include "irra/staff/role.hpp"
#include "irra/web/rate_limiter.hpp"

namespace irra::web {

using TimePoint = std::chrono::system_clock::time_point;

struct StaffSessionSettings {
  std::chrono::seconds idle_timeout{900}, absolute_timeout{28800};
  int max_failures = 5;  // per user name and per source address, within failure_window
  std::chrono::seconds failure_window{900};
  std::size_t max_sessions = 10000;
  std::size_t max_rate_keys = 100000;
};

struct StaffSession {
  std::string user;
  staff::Role role = staff::Role::viewer;
  std::string csrf_token, ip, user_agent;
  TimePoint created, last_seen, idle_expires_at, expires_at;
};

struct NewStaffSession {
  std::string token, csrf_token;  // the token goes in the cookie and is not kept here
  TimePoint idle_expires_at, expires_at;
};

class StaffSessions {
 public:
  explicit StaffSessions(StaffSessionSettings settings = {});

  // How long to wait when the user name OR the address has max_failures failures within
  // the window (check it before any password work, and refuse even a correct login).
  std::optional<std::chrono::seconds> blocked(std::string_view user, std::string_view ip,
                                              TimePoint now);
  // One failed login: counts against the user name and the address.
  void note_failure(std::string_view user, std::string_view ip, TimePoint now);

  // A new session (new token, new CSRF token); nullopt when the table is full.
  std::optional<NewStaffSession> open(std::string user, staff::Role role, std::string ip,
                                      std::string user_agent, TimePoint now);
  // The valid session of a raw cookie token; touches its idle expiry. nullptr when unknown
  // or expired (an expired one is removed).
  const StaffSession* find(std::string_view token, TimePoint now);
  // True while the token's session is valid, without touching it.
  bool has(std::string_view token, TimePoint now) const;
  bool check_csrf(const StaffSession& session, std::string_view header) const;  // constant time
  bool end(std::string_view token);
  std::size_t end_sessions_of(std::string_view user);
  // Ends the sessions whose account is missing, disabled, has another role, or was changed
  // (reset) after the session opened: updated_at later than the session's creation (an
  // updated_at that does not parse counts as later). Returns how many ended.
  std::size_t sync(const std::vector<staff::Account>& accounts);

  std::size_t count() const { return sessions_.size(); }
  std::vector<std::string> users() const;  // distinct users logged in, sorted
  // Drops expired sessions and stale rate-limit keys. Call it every minute or so.
  void sweep(TimePoint now);

  // For tests and audits: the keys of the session table (hashes; never a token).
  std::vector<std::string> stored_session_keys() const;

 private:
  using Key = std::array<unsigned char, 32>;
  using SessionMap = std::unordered_map<std::string, StaffSession>;

  std::string session_key(std::string_view token) const;
  std::string bucket(std::string_view kind, std::string_view value) const;
  void sweep_sessions(TimePoint now);

  StaffSessionSettings settings_;
  Key token_key_{}, bucket_key_{};
  SessionMap sessions_;  // by session_key(token)
  RateLimiter failures_per_user_, failures_per_ip_;
  TimePoint last_forced_sweep_{};
};

// "2024-12-02T09:15:00.123456Z" (fraction optional, up to 9 digits) as a time point;
// nullopt for anything else.
std::optional<TimePoint> parse_iso_utc(std::string_view text);

}  // namespace irra::web
