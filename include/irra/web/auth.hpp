// Investor authentication state: OTP challenges, web sessions and the rate limits in front of
// them (contract section 3, quality.md "Security": OWASP ASVS 4.0.3 §2.7 and §3). Pure logic:
// no I/O, the caller passes the time and delivers the OTP through the notification sink.
//
// Thread rule: NOT thread-safe. The store belongs to the trading strand; every call, and every
// use of a pointer it returned, happens there.
//
// Secrets: OTPs are kept only as a keyed hash (BLAKE2b, per-process key) bound to their
// challenge id; session tokens only as a keyed hash, which is the session map's key. The keys
// are random per AuthStore, so a restart ends every session and challenge.
//
// Rate limits are sliding windows (at most N in any window), see rate_limiter.hpp:
//  - OTP requests per IP (every request counts, even those then refused for the login);
//  - OTP requests per login, counting only those that issued a challenge. An eligible
//    client's UCC and PAN share one count (so switching identifiers gains nothing); unknown and
//    ineligible logins count per login string;
//  - login (verify) attempts per IP.
// IPv6 clients are counted per /64, since one host usually owns a whole /64.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "irra/domain/client.hpp"
#include "irra/web/rate_limiter.hpp"

namespace irra::web {

using TimePoint = std::chrono::system_clock::time_point;

struct AuthSettings {
  std::chrono::seconds otp_ttl{300};
  int otp_max_tries = 5;  // the 5th wrong try burns the challenge
  std::chrono::seconds idle_timeout{1800};
  std::chrono::seconds absolute_timeout{43200};
  // Rate limits: sliding windows (at most N within any window).
  int otp_requests_per_login = 5;
  std::chrono::seconds otp_login_window{900};
  int otp_requests_per_ip = 60;
  std::chrono::seconds otp_ip_window{300};
  int login_attempts_per_ip = 60;
  std::chrono::seconds login_ip_window{300};
  std::size_t max_challenges = 500'000;
  std::size_t max_sessions = 1'000'000;
  // A client's oldest session ends when a login would exceed this.
  std::size_t max_sessions_per_client = 10;
  // Keys tracked per rate limit; beyond it new keys are refused (fail closed) until a sweep.
  std::size_t max_rate_keys = 1'000'000;
};

struct OtpDelivery {
  std::string ucc, mobile, email, otp;
  TimePoint expires_at;
};

struct OtpRequestResult {
  // silent: unknown/ineligible login, same answer, nothing sent
  enum class Outcome { sent, silent, rate_limited };
  Outcome outcome = Outcome::silent;
  std::string challenge_id;                 // 128-bit random, base64url; for sent AND silent
  std::string masked_mobile, masked_email;  // "******1234", "a***@example.com"
  std::optional<OtpDelivery> delivery;      // only for sent
  std::chrono::seconds retry_after{0};      // rate_limited
};

struct NewSession {
  std::string token, csrf_token;  // the token goes in the cookie and is not kept here
  TimePoint idle_expires_at, expires_at;
};

struct VerifyResult {
  // Unknown challenge id = expired. rate_limited also when the session table is full (the
  // challenge is then left as it was).
  enum class Outcome { ok, wrong, burnt, expired, rate_limited };
  Outcome outcome = Outcome::expired;
  std::string ucc;     // ok (also filled for wrong/burnt when the challenge is real, for the audit)
  int tries_left = 0;  // wrong
  std::optional<NewSession> session;  // ok
  std::chrono::seconds retry_after{0};
};

struct WebSession {
  std::string ucc;
  std::string csrf_token;
  TimePoint created, last_seen, idle_expires_at, expires_at;
};

class AuthStore {
 public:
  explicit AuthStore(AuthSettings settings = {});

  // `client` is the account the login (UCC or PAN) names, or nullptr when unknown; an
  // ineligible client is treated as unknown. The caller looks the client up. Unknown and
  // ineligible logins get a challenge that can never succeed (it answers wrong/burnt like a
  // real one) and masks derived deterministically from the login with a per-process secret key
  // (the same login shows the same masks each time), so the answer cannot tell whether the
  // account exists. A new challenge for the same account (or login) replaces the previous one.
  OtpRequestResult request_otp(std::string_view login, const domain::Client* client,
                               std::string_view ip, TimePoint now);
  // Checks an OTP; ok consumes the challenge and opens a new session (new token, new CSRF
  // token). Each wrong OTP uses a try; the last one burns the challenge.
  VerifyResult verify(std::string_view challenge_id, std::string_view otp, std::string_view ip,
                      TimePoint now);

  // Valid session for a raw cookie token: touches last_seen/idle expiry. nullptr when
  // unknown/expired (and removes it). The pointer is valid until the next non-const call.
  const WebSession* find_session(std::string_view token, TimePoint now);
  // True while the token's session is valid, without touching it (a live stream is not
  // activity: the session still ends after its idle timeout).
  bool has_session(std::string_view token, TimePoint now) const;
  bool check_csrf(const WebSession& s, std::string_view header_value) const;  // constant-time
  bool end_session(std::string_view token);                                   // logout
  std::size_t end_sessions_of(std::string_view ucc);
  std::size_t session_count() const { return sessions_.size(); }
  std::size_t sessions_of(std::string_view ucc) const;
  std::size_t challenge_count() const { return challenges_.size(); }
  // Drops expired challenges, sessions and stale rate buckets. Call it every minute or so.
  void sweep(TimePoint now);

  // For tests and audits: the keys of the session table (hashes; never a token).
  std::vector<std::string> stored_session_keys() const;

 private:
  using Key = std::array<unsigned char, 32>;
  struct Challenge {
    std::string login_key;  // its entry in challenge_of_login_
    std::string ucc;        // empty when silent
    Key otp_hash{};         // H(otp_key_, challenge id || otp); random when silent
    TimePoint expires_at;
    int tries_left = 0;
    bool real = false;
  };
  using ChallengeMap = std::unordered_map<std::string, Challenge>;
  using SessionMap = std::unordered_map<std::string, WebSession>;

  std::string bucket(std::string_view kind, std::string_view value) const;
  std::string session_key(std::string_view token) const;
  void erase_challenge(ChallengeMap::iterator it);
  void erase_session(SessionMap::iterator it);
  std::optional<NewSession> open_session(const std::string& ucc, TimePoint now);
  void sweep_challenges(TimePoint now);
  void sweep_sessions(TimePoint now);
  bool may_force_sweep(TimePoint now);

  AuthSettings settings_;
  Key otp_key_{}, token_key_{}, mask_key_{}, bucket_key_{};
  ChallengeMap challenges_;                                          // by challenge id
  std::unordered_map<std::string, std::string> challenge_of_login_;  // login key -> id
  SessionMap sessions_;                                              // by session_key(token)
  std::unordered_map<std::string, std::vector<std::string>> sessions_by_ucc_;  // oldest first
  RateLimiter otp_per_login_, otp_per_ip_, login_per_ip_;
  TimePoint last_forced_sweep_{};
};

std::string mask_mobile(std::string_view mobile);  // keeps the last 4 digits: "******1234"
std::string mask_email(std::string_view email);    // first letter + *** + @domain

}  // namespace irra::web
