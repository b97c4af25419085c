#include "irra/web/auth.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>

using irra::domain::Client;
using irra::web::AuthSettings;
using irra::web::AuthStore;
using irra::web::OtpRequestResult;
using irra::web::TimePoint;
using irra::web::VerifyResult;
using std::chrono::seconds;
using Sent = OtpRequestResult::Outcome;
using Verified = VerifyResult::Outcome;

namespace {

const TimePoint t0{seconds(1'700'000'000)};

Client alice() {
  Client c;
  c.ucc = "UCC001";
  c.pan = "ABCDE1234F";
  c.name = "Alice";
  c.mobile = "+91 98765 43210";
  c.email = "alice@example.com";
  return c;
}

Client client_n(int n) {
  Client c = alice();
  c.ucc = "UCC" + std::to_string(1000 + n);
  c.pan = "PAN" + std::to_string(1000 + n);
  return c;
}

// No std::regex: g++ 12 warns falsely inside it under -fsanitize (see test/CMakeLists.txt).
bool all_of(std::string_view s, bool (*pred)(char)) {
  return std::all_of(s.begin(), s.end(), pred);
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_base64url(char c) {
  return is_digit(c) || is_lower(c) || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

bool is_token(const std::string& s) {
  return s.size() == 22 && all_of(s, is_base64url);
}
bool is_otp(const std::string& s) {
  return s.size() == 6 && all_of(s, is_digit);
}
// "******1234"
bool is_mobile_mask(std::string_view s) {
  return s.size() == 10 && s.substr(0, 6) == "******" && all_of(s.substr(6), is_digit);
}
// "a***@some.domain"
bool is_email_mask(std::string_view s) {
  return s.size() > 5 && is_lower(s[0]) && s.substr(1, 4) == "***@" &&
         all_of(s.substr(5), [](char c) { return is_lower(c) || c == '.'; });
}

// A wrong OTP that is still six digits.
std::string other_otp(const std::string& otp) {
  return otp == "000000" ? "000001" : "000000";
}

// Logs `client` in (from its own IP) and returns the session.
irra::web::NewSession login(AuthStore& auth, const Client& client, TimePoint now,
                            const std::string& ip = "10.0.0.1") {
  const auto req = auth.request_otp(client.ucc, &client, ip, now);
  REQUIRE(req.outcome == Sent::sent);
  const auto v = auth.verify(req.challenge_id, req.delivery->otp, ip, now);
  REQUIRE(v.outcome == Verified::ok);
  return *v.session;
}

}  // namespace

TEST_CASE("an OTP request for an eligible client sends a 6-digit OTP valid 5 minutes") {
  AuthStore auth;
  const Client c = alice();
  const auto r = auth.request_otp("UCC001", &c, "10.0.0.1", t0);
  REQUIRE(r.outcome == Sent::sent);
  CHECK(is_token(r.challenge_id));
  CHECK(r.masked_mobile == "******3210");
  CHECK(r.masked_email == "a***@example.com");
  REQUIRE(r.delivery);
  CHECK(r.delivery->ucc == "UCC001");
  CHECK(r.delivery->mobile == c.mobile);
  CHECK(r.delivery->email == c.email);
  CHECK(is_otp(r.delivery->otp));
  CHECK(r.delivery->expires_at == t0 + seconds(300));
  CHECK(r.retry_after == seconds(0));
  CHECK(auth.challenge_count() == 1);
}

TEST_CASE("the right OTP opens a session once; the challenge is single use") {
  AuthStore auth;
  const Client c = alice();
  const auto r = auth.request_otp("UCC001", &c, "10.0.0.1", t0);
  const auto v = auth.verify(r.challenge_id, r.delivery->otp, "10.0.0.1", t0 + seconds(10));
  REQUIRE(v.outcome == Verified::ok);
  CHECK(v.ucc == "UCC001");
  REQUIRE(v.session);
  CHECK(is_token(v.session->token));
  CHECK(is_token(v.session->csrf_token));
  CHECK(v.session->token != v.session->csrf_token);
  CHECK(v.session->idle_expires_at == t0 + seconds(10 + 1800));
  CHECK(v.session->expires_at == t0 + seconds(10 + 43200));
  CHECK(auth.challenge_count() == 0);

  const auto* s = auth.find_session(v.session->token, t0 + seconds(11));
  REQUIRE(s);
  CHECK(s->ucc == "UCC001");
  CHECK(s->csrf_token == v.session->csrf_token);
  CHECK(s->created == t0 + seconds(10));

  const auto again = auth.verify(r.challenge_id, r.delivery->otp, "10.0.0.1", t0 + seconds(12));
  CHECK(again.outcome == Verified::expired);
  CHECK_FALSE(again.session);
}

TEST_CASE("wrong OTPs count down and the 5th wrong try burns the challenge") {
  AuthStore auth;
  const Client c = alice();
  const auto r = auth.request_otp("UCC001", &c, "10.0.0.1", t0);
  const auto bad = other_otp(r.delivery->otp);
  for (int left = 4; left >= 1; --left) {
    const auto v = auth.verify(r.challenge_id, bad, "10.0.0.1", t0);
    REQUIRE(v.outcome == Verified::wrong);
    CHECK(v.tries_left == left);
    CHECK(v.ucc == "UCC001");
    CHECK_FALSE(v.session);
  }
  const auto burnt = auth.verify(r.challenge_id, bad, "10.0.0.1", t0);
  CHECK(burnt.outcome == Verified::burnt);
  CHECK(burnt.ucc == "UCC001");
  CHECK(burnt.tries_left == 0);
  // Even the right OTP is now useless.
  CHECK(auth.verify(r.challenge_id, r.delivery->otp, "10.0.0.1", t0).outcome == Verified::expired);
  CHECK(auth.challenge_count() == 0);
}

TEST_CASE("a wrong try followed by the right OTP logs in") {
  AuthStore auth;
  const Client c = alice();
  const auto r = auth.request_otp("UCC001", &c, "10.0.0.1", t0);
  CHECK(auth.verify(r.challenge_id, other_otp(r.delivery->otp), "10.0.0.1", t0).outcome ==
        Verified::wrong);
  CHECK(auth.verify(r.challenge_id, r.delivery->otp, "10.0.0.1", t0).outcome == Verified::ok);
}

TEST_CASE("malformed OTPs count as wrong tries") {
  AuthStore auth;
  const Client c = alice();
  const auto r = auth.request_otp("UCC001", &c, "10.0.0.1", t0);
  const std::string& otp = r.delivery->otp;
  for (const std::string& bad : {std::string(), otp.substr(0, 5), otp + "0", " " + otp}) {
    const auto v = auth.verify(r.challenge_id, bad, "10.0.0.1", t0);
    CHECK(v.outcome == Verified::wrong);
  }
  CHECK(auth.verify(r.challenge_id, otp, "10.0.0.1", t0).outcome == Verified::ok);
}

TEST_CASE("an OTP expires after 5 minutes; unknown challenge ids read as expired") {
  AuthStore auth;
  const Client c = alice();
  const auto r1 = auth.request_otp("UCC001", &c, "10.0.0.1", t0);
  CHECK(auth.verify(r1.challenge_id, r1.delivery->otp, "10.0.0.1", t0 + seconds(299)).outcome ==
        Verified::ok);
  const auto r2 = auth.request_otp("UCC001", &c, "10.0.0.1", t0);
  const auto late = auth.verify(r2.challenge_id, r2.delivery->otp, "10.0.0.1", t0 + seconds(300));
  CHECK(late.outcome == Verified::expired);
  CHECK_FALSE(late.session);
  CHECK(auth.challenge_count() == 0);

  CHECK(auth.verify("AAAAAAAAAAAAAAAAAAAAAA", "123456", "10.0.0.1", t0).outcome ==
        Verified::expired);
  CHECK(auth.verify("", "123456", "10.0.0.1", t0).outcome == Verified::expired);
}

TEST_CASE("a new OTP request replaces the account's previous challenge") {
  AuthStore auth;
  const Client c = alice();
  const auto first = auth.request_otp("UCC001", &c, "10.0.0.1", t0);
  const auto second = auth.request_otp("abcde1234f", &c, "10.0.0.1", t0 + seconds(30));
  CHECK(first.challenge_id != second.challenge_id);
  CHECK(auth.challenge_count() == 1);
  CHECK(
      auth.verify(first.challenge_id, first.delivery->otp, "10.0.0.1", t0 + seconds(31)).outcome ==
      Verified::expired);
  CHECK(auth.verify(second.challenge_id, second.delivery->otp, "10.0.0.1", t0 + seconds(31))
            .outcome == Verified::ok);
}

TEST_CASE("unknown and ineligible logins get the same shape of answer, with stable masks") {
  AuthStore auth;
  const Client real = alice();
  Client algo = client_n(7);
  algo.eligible = false;
  const auto known = auth.request_otp("UCC001", &real, "10.0.0.1", t0);
  const auto unknown = auth.request_otp("NOSUCH99", nullptr, "10.0.0.2", t0);
  const auto ineligible = auth.request_otp(algo.ucc, &algo, "10.0.0.3", t0);

  for (const auto* r : {&known, &unknown, &ineligible}) {
    CHECK(is_token(r->challenge_id));
    CHECK(is_mobile_mask(r->masked_mobile));
    CHECK(is_email_mask(r->masked_email));
    CHECK(r->retry_after == seconds(0));
  }
  CHECK(unknown.outcome == Sent::silent);
  CHECK_FALSE(unknown.delivery);
  CHECK(ineligible.outcome == Sent::silent);
  CHECK_FALSE(ineligible.delivery);
  // The ineligible client's real contact details are not shown.
  CHECK(ineligible.masked_email != "a***@example.com");

  // Same login, same masks (also spelled differently); another login, other masks.
  const auto unknown2 = auth.request_otp(" nosuch99 ", nullptr, "10.0.0.4", t0 + seconds(5));
  CHECK(unknown2.masked_mobile == unknown.masked_mobile);
  CHECK(unknown2.masked_email == unknown.masked_email);
  CHECK(unknown2.challenge_id != unknown.challenge_id);
  std::set<std::string> masks;
  for (int i = 0; i < 20; ++i) {
    masks.insert(
        auth.request_otp("GHOST" + std::to_string(i), nullptr, "10.1.0." + std::to_string(i), t0)
            .masked_mobile);
  }
  CHECK(masks.size() > 10);

  // A second store (another process) derives other masks from its own key.
  AuthStore other;
  const auto elsewhere = other.request_otp("NOSUCH99", nullptr, "10.0.0.2", t0);
  CHECK((elsewhere.masked_mobile != unknown.masked_mobile ||
         elsewhere.masked_email != unknown.masked_email));
}

TEST_CASE("a silent challenge never succeeds and burns like a real one") {
  AuthStore auth;
  const auto r = auth.request_otp("NOSUCH99", nullptr, "10.0.0.1", t0);
  REQUIRE(r.outcome == Sent::silent);
  for (int left = 4; left >= 1; --left) {
    const auto v = auth.verify(r.challenge_id, "12345" + std::to_string(left), "10.0.0.1", t0);
    REQUIRE(v.outcome == Verified::wrong);
    CHECK(v.tries_left == left);
    CHECK(v.ucc.empty());
  }
  const auto v = auth.verify(r.challenge_id, "999999", "10.0.0.1", t0);
  CHECK(v.outcome == Verified::burnt);
  CHECK(v.ucc.empty());
  CHECK_FALSE(v.session);
  CHECK(auth.session_count() == 0);
}

TEST_CASE("OTP requests are limited per account, UCC and PAN together") {
  AuthStore auth;
  const Client c = alice();
  for (int i = 0; i < 5; ++i) {
    const auto login = i % 2 ? c.pan : c.ucc;
    REQUIRE(
        auth.request_otp(login, &c, "10.0.0." + std::to_string(i), t0 + seconds(60 * i)).outcome ==
        Sent::sent);
  }
  const auto limited = auth.request_otp(c.pan, &c, "10.9.9.9", t0 + seconds(300));
  CHECK(limited.outcome == Sent::rate_limited);
  CHECK(limited.retry_after == seconds(600));  // the first request leaves the window at t0+900
  CHECK(limited.challenge_id.empty());
  CHECK_FALSE(limited.delivery);
  // The refusal did not cancel the challenge already sent.
  CHECK(auth.challenge_count() == 1);
  // Another account is not affected.
  const Client b = client_n(2);
  CHECK(auth.request_otp(b.ucc, &b, "10.9.9.9", t0 + seconds(300)).outcome == Sent::sent);
  CHECK(auth.request_otp(c.ucc, &c, "10.9.9.9", t0 + seconds(900)).outcome == Sent::sent);
}

TEST_CASE("unknown logins are limited per login too, so the limit reveals nothing") {
  AuthStore auth;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(auth.request_otp("NOSUCH99", nullptr, "10.0.0." + std::to_string(i), t0).outcome ==
            Sent::silent);
  }
  const auto limited = auth.request_otp("NOSUCH99", nullptr, "10.0.1.1", t0 + seconds(1));
  CHECK(limited.outcome == Sent::rate_limited);
  CHECK(limited.retry_after == seconds(899));
}

TEST_CASE("OTP requests are limited per IP, IPv6 per /64") {
  AuthSettings s;
  s.otp_requests_per_ip = 3;
  AuthStore auth(s);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(
        auth.request_otp("L" + std::to_string(i), nullptr, "192.0.2.1", t0 + seconds(i)).outcome ==
        Sent::silent);
  }
  const auto limited = auth.request_otp("L9", nullptr, "192.0.2.1", t0 + seconds(100));
  CHECK(limited.outcome == Sent::rate_limited);
  CHECK(limited.retry_after == seconds(200));
  CHECK(auth.request_otp("L9", nullptr, "192.0.2.2", t0 + seconds(100)).outcome == Sent::silent);
  // An IPv4-mapped IPv6 address is the same client.
  CHECK(auth.request_otp("L9", nullptr, "::ffff:192.0.2.1", t0 + seconds(100)).outcome ==
        Sent::rate_limited);

  for (int i = 0; i < 3; ++i) {
    REQUIRE(auth.request_otp("M" + std::to_string(i), nullptr,
                             "2001:db8:1:2::" + std::to_string(i + 1), t0)
                .outcome == Sent::silent);
  }
  CHECK(auth.request_otp("M9", nullptr, "2001:db8:1:2:ffff::9", t0).outcome == Sent::rate_limited);
  CHECK(auth.request_otp("M9", nullptr, "2001:db8:1:3::1", t0).outcome == Sent::silent);
}

TEST_CASE("login attempts are limited per IP without using the challenge's tries") {
  AuthSettings s;
  s.login_attempts_per_ip = 3;
  AuthStore auth(s);
  const Client c = alice();
  const auto r = auth.request_otp(c.ucc, &c, "10.0.0.1", t0);
  const auto bad = other_otp(r.delivery->otp);
  CHECK(auth.verify(r.challenge_id, bad, "10.6.6.6", t0).outcome == Verified::wrong);
  CHECK(auth.verify("x", bad, "10.6.6.6", t0 + seconds(10)).outcome == Verified::expired);
  CHECK(auth.verify("y", bad, "10.6.6.6", t0 + seconds(20)).outcome == Verified::expired);
  const auto limited = auth.verify(r.challenge_id, r.delivery->otp, "10.6.6.6", t0 + seconds(30));
  CHECK(limited.outcome == Verified::rate_limited);
  CHECK(limited.retry_after == seconds(270));
  CHECK_FALSE(limited.session);
  // Another IP may still use the challenge, with only one try spent.
  const auto v = auth.verify(r.challenge_id, bad, "10.0.0.1", t0 + seconds(30));
  CHECK(v.outcome == Verified::wrong);
  CHECK(v.tries_left == 3);
  CHECK(auth.verify(r.challenge_id, r.delivery->otp, "10.0.0.1", t0 + seconds(31)).outcome ==
        Verified::ok);
}

TEST_CASE("the session token is stored only as a hash") {
  AuthStore auth;
  const auto session = login(auth, alice(), t0);
  const auto keys = auth.stored_session_keys();
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].size() == 32);
  CHECK(keys[0] != session.token);
  CHECK(keys[0].find(session.token) == std::string::npos);
  CHECK(keys[0] != session.csrf_token);
  // Neither the CSRF token nor the stored key opens the session.
  CHECK(auth.find_session(session.csrf_token, t0) == nullptr);
  CHECK(auth.find_session(keys[0], t0) == nullptr);
  CHECK(auth.find_session("", t0) == nullptr);
  CHECK(auth.find_session(session.token, t0) != nullptr);
}

TEST_CASE("every login gets a new token") {
  AuthStore auth;
  const Client c = alice();
  const auto a = login(auth, c, t0);
  const auto b = login(auth, c, t0 + seconds(1));
  CHECK(a.token != b.token);
  CHECK(a.csrf_token != b.csrf_token);
  CHECK(auth.sessions_of("UCC001") == 2);
  CHECK(auth.find_session(a.token, t0 + seconds(2)) != nullptr);
  CHECK(auth.find_session(b.token, t0 + seconds(2)) != nullptr);
}

TEST_CASE("a session ends after 30 idle minutes; use keeps it alive") {
  AuthStore auth;
  const auto session = login(auth, alice(), t0);
  const auto* s = auth.find_session(session.token, t0 + seconds(1799));
  REQUIRE(s);
  CHECK(s->last_seen == t0 + seconds(1799));
  CHECK(s->idle_expires_at == t0 + seconds(1799 + 1800));
  CHECK(auth.find_session(session.token, t0 + seconds(1799 + 1799)) != nullptr);
  CHECK(auth.find_session(session.token, t0 + seconds(1799 + 1799 + 1800)) == nullptr);
  CHECK(auth.session_count() == 0);
  CHECK(auth.sessions_of("UCC001") == 0);
}

TEST_CASE("a session ends 12 hours after login however busy") {
  AuthStore auth;
  const auto session = login(auth, alice(), t0);
  for (int t = 1000; t < 43200; t += 1000) {
    const auto* s = auth.find_session(session.token, t0 + seconds(t));
    REQUIRE(s);
    CHECK(s->idle_expires_at <= s->expires_at);
  }
  const auto* s = auth.find_session(session.token, t0 + seconds(43199));
  REQUIRE(s);
  CHECK(s->idle_expires_at == t0 + seconds(43200));
  CHECK(auth.find_session(session.token, t0 + seconds(43200)) == nullptr);
  CHECK(auth.session_count() == 0);
}

TEST_CASE("has_session tells validity without keeping the session alive") {
  AuthStore auth;
  const auto session = login(auth, alice(), t0);
  CHECK(auth.has_session(session.token, t0 + seconds(1000)));
  CHECK_FALSE(auth.has_session(session.csrf_token, t0 + seconds(1000)));
  CHECK_FALSE(auth.has_session("", t0));
  // Checking is not activity: the idle timeout still runs from the login.
  CHECK_FALSE(auth.has_session(session.token, t0 + seconds(1800)));
  CHECK(auth.find_session(session.token, t0 + seconds(1800)) == nullptr);
}

TEST_CASE("the CSRF check accepts only the session's token") {
  AuthStore auth;
  const auto session = login(auth, alice(), t0);
  const auto* s = auth.find_session(session.token, t0);
  REQUIRE(s);
  CHECK(auth.check_csrf(*s, session.csrf_token));
  CHECK_FALSE(auth.check_csrf(*s, ""));
  CHECK_FALSE(auth.check_csrf(*s, session.token));
  CHECK_FALSE(auth.check_csrf(*s, session.csrf_token.substr(0, 21)));
  CHECK_FALSE(auth.check_csrf(*s, session.csrf_token + "x"));
  std::string flipped = session.csrf_token;
  flipped[5] = flipped[5] == 'A' ? 'B' : 'A';
  CHECK_FALSE(auth.check_csrf(*s, flipped));
}

TEST_CASE("logout ends one session; end_sessions_of ends a client's all") {
  AuthStore auth;
  const Client a = alice();
  const Client b = client_n(2);
  const auto a1 = login(auth, a, t0);
  const auto a2 = login(auth, a, t0);
  const auto a3 = login(auth, a, t0);
  const auto b1 = login(auth, b, t0, "10.0.0.2");
  CHECK(auth.session_count() == 4);

  CHECK(auth.end_session(a1.token));
  CHECK_FALSE(auth.end_session(a1.token));
  CHECK_FALSE(auth.end_session(""));
  CHECK(auth.find_session(a1.token, t0) == nullptr);
  CHECK(auth.sessions_of(a.ucc) == 2);

  CHECK(auth.end_sessions_of(a.ucc) == 2);
  CHECK(auth.end_sessions_of(a.ucc) == 0);
  CHECK(auth.find_session(a2.token, t0) == nullptr);
  CHECK(auth.find_session(a3.token, t0) == nullptr);
  CHECK(auth.find_session(b1.token, t0) != nullptr);
  CHECK(auth.session_count() == 1);
  CHECK(auth.sessions_of("NOBODY") == 0);
}

TEST_CASE("sweep drops expired challenges, sessions and rate buckets") {
  AuthStore auth;
  const Client a = alice();
  const auto kept = login(auth, a, t0);
  const auto gone = login(auth, client_n(2), t0, "10.0.0.2");
  auth.request_otp("NOSUCH99", nullptr, "10.0.0.3", t0);
  auth.request_otp(a.ucc, &a, "10.0.0.3", t0 + seconds(1600));
  CHECK(auth.challenge_count() == 2);
  CHECK(auth.find_session(kept.token, t0 + seconds(1700)) != nullptr);

  auth.sweep(t0 + seconds(1800));
  CHECK(auth.challenge_count() == 1);  // the first expired at t0+300
  CHECK(auth.session_count() == 1);    // `gone` was idle 30 minutes
  CHECK(auth.sessions_of("UCC1002") == 0);
  CHECK(auth.end_session(kept.token));
  CHECK_FALSE(auth.end_session(gone.token));

  auth.sweep(t0 + seconds(100000));
  CHECK(auth.challenge_count() == 0);
  // The login's rate bucket is gone too: five requests at once are allowed again.
  for (int i = 0; i < 5; ++i) {
    CHECK(auth.request_otp(a.ucc, &a, "10.0.0.3", t0 + seconds(100000)).outcome == Sent::sent);
  }
}

TEST_CASE("the challenge table is bounded") {
  AuthSettings s;
  s.max_challenges = 3;
  AuthStore auth(s);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(auth.request_otp("L" + std::to_string(i), nullptr, "10.0.0.1", t0).outcome ==
            Sent::silent);
  }
  const auto full = auth.request_otp("L9", nullptr, "10.0.0.1", t0 + seconds(10));
  CHECK(full.outcome == Sent::rate_limited);
  CHECK(full.retry_after > seconds(0));
  // Replacing a login's own challenge needs no new room.
  CHECK(auth.request_otp("L0", nullptr, "10.0.0.1", t0 + seconds(10)).outcome == Sent::silent);
  // Once the old ones expire, room is made without waiting for sweep().
  CHECK(auth.request_otp("L9", nullptr, "10.0.0.1", t0 + seconds(301)).outcome == Sent::silent);
  CHECK(auth.challenge_count() == 2);
}

TEST_CASE("the session table is bounded, in all and per client") {
  AuthSettings s;
  s.max_sessions = 2;
  s.max_sessions_per_client = 2;
  AuthStore auth(s);
  const Client a = alice();
  const auto a1 = login(auth, a, t0);
  const auto a2 = login(auth, a, t0 + seconds(1));
  // A third login of the same client ends its oldest session.
  const auto a3 = login(auth, a, t0 + seconds(2));
  CHECK(auth.find_session(a1.token, t0 + seconds(3)) == nullptr);
  CHECK(auth.find_session(a2.token, t0 + seconds(3)) != nullptr);
  CHECK(auth.find_session(a3.token, t0 + seconds(3)) != nullptr);
  CHECK(auth.sessions_of(a.ucc) == 2);

  // The table is full: another client's right OTP is refused without burning the challenge.
  const Client b = client_n(2);
  const auto r = auth.request_otp(b.ucc, &b, "10.0.0.2", t0 + seconds(4));
  const auto v = auth.verify(r.challenge_id, r.delivery->otp, "10.0.0.2", t0 + seconds(4));
  CHECK(v.outcome == Verified::rate_limited);
  CHECK(v.retry_after > seconds(0));
  CHECK_FALSE(v.session);
  CHECK(auth.challenge_count() == 1);
  CHECK(auth.end_session(a2.token));
  const auto ok = auth.verify(r.challenge_id, r.delivery->otp, "10.0.0.2", t0 + seconds(5));
  CHECK(ok.outcome == Verified::ok);
  CHECK(auth.session_count() == 2);
}

TEST_CASE("OTPs differ between challenges") {
  AuthSettings s;
  s.otp_requests_per_ip = 1000;
  AuthStore auth(s);
  std::set<std::string> otps;
  for (int i = 0; i < 200; ++i) {
    const Client c = client_n(i);
    otps.insert(auth.request_otp(c.ucc, &c, "10.0.0.1", t0).delivery->otp);
  }
  CHECK(otps.size() > 190);
}

TEST_CASE("masks keep the last four digits and the mailbox's first letter") {
  using irra::web::mask_email;
  using irra::web::mask_mobile;
  CHECK(mask_mobile("9876543210") == "******3210");
  CHECK(mask_mobile("+91 98765-43210") == "******3210");
  CHECK(mask_mobile("123") == "******");
  CHECK(mask_mobile("") == "");
  CHECK(mask_email("alice@example.com") == "a***@example.com");
  CHECK(mask_email("  Bob.Smith@mail.co.in ") == "B***@mail.co.in");
  CHECK(mask_email("x@y.z") == "x***@y.z");
  CHECK(mask_email("\xc3\xa9lise@example.com") == "\xc3\xa9***@example.com");
  CHECK(mask_email("no-at-sign") == "***");
  CHECK(mask_email("@example.com") == "***");
  CHECK(mask_email("") == "");
}

TEST_CASE("nonsense settings are rejected") {
  AuthSettings s;
  s.otp_max_tries = 0;
  CHECK_THROWS_AS(AuthStore(s), std::invalid_argument);
  s = {};
  s.max_sessions = 0;
  CHECK_THROWS_AS(AuthStore(s), std::invalid_argument);
  s = {};
  s.otp_requests_per_login = 0;
  CHECK_THROWS_AS(AuthStore(s), std::invalid_argument);
}
