#include "irra/web/staff_sessions.hpp"

#include <catch2/catch.hpp>
#include <ctime>
#include <string>

using irra::staff::Account;
using irra::staff::Role;
using irra::web::StaffSessions;
using irra::web::StaffSessionSettings;
using irra::web::TimePoint;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

const TimePoint t0{seconds(1'700'000'000)};  // 2023-11-14T22:13:20Z

std::string iso(TimePoint t) {
  const auto secs = std::chrono::time_point_cast<seconds>(t);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t - secs).count();
  const std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros));
  return buf;
}

Account account(std::string user, Role role, TimePoint updated, bool disabled = false) {
  Account a;
  a.user = std::move(user);
  a.role = role;
  a.disabled = disabled;
  a.created_at = iso(updated - minutes(60));
  a.updated_at = iso(updated);
  return a;
}

}  // namespace

TEST_CASE("parse_iso_utc reads the stored timestamps") {
  CHECK(irra::web::parse_iso_utc("2023-11-14T22:13:20.000000Z") == t0);
  CHECK(irra::web::parse_iso_utc("2023-11-14T22:13:20Z") == t0);
  CHECK(irra::web::parse_iso_utc("2023-11-14T22:13:20.5Z") == t0 + std::chrono::milliseconds(500));
  CHECK(irra::web::parse_iso_utc(iso(t0 + std::chrono::microseconds(123456))) ==
        t0 + std::chrono::microseconds(123456));
  CHECK_FALSE(irra::web::parse_iso_utc(""));
  CHECK_FALSE(irra::web::parse_iso_utc("2023-11-14 22:13:20Z"));
  CHECK_FALSE(irra::web::parse_iso_utc("2023-11-14T22:13:20"));
  CHECK_FALSE(irra::web::parse_iso_utc("2023-02-30T22:13:20Z"));
  CHECK_FALSE(irra::web::parse_iso_utc("2023-11-14T22:13:20.Z"));
  CHECK_FALSE(irra::web::parse_iso_utc("2023-11-14T22:13:20.0000000000Z"));
}

TEST_CASE("staff sessions: open, find, idle and absolute expiry") {
  StaffSessions s;
  auto fresh = s.open("alice", Role::dealer, "10.0.0.1", "Firefox", t0);
  REQUIRE(fresh);
  CHECK(fresh->idle_expires_at == t0 + minutes(15));
  CHECK(fresh->expires_at == t0 + std::chrono::hours(8));
  CHECK(fresh->token != fresh->csrf_token);
  CHECK(s.count() == 1);

  const auto* found = s.find(fresh->token, t0 + minutes(1));
  REQUIRE(found);
  CHECK(found->user == "alice");
  CHECK(found->role == Role::dealer);
  CHECK(found->ip == "10.0.0.1");
  CHECK(found->user_agent == "Firefox");
  CHECK(found->created == t0);
  CHECK(found->idle_expires_at == t0 + minutes(16));
  CHECK_FALSE(s.find("not-a-token", t0));
  CHECK_FALSE(s.find("", t0));

  SECTION("15 minutes without a request end it") {
    CHECK(s.has(fresh->token, t0 + minutes(15)));
    CHECK_FALSE(s.find(fresh->token, t0 + minutes(16)));
    CHECK(s.count() == 0);
  }
  SECTION("activity keeps it alive, but not past 8 hours") {
    TimePoint t = t0;
    for (int i = 0; i < 8 * 6 - 1; ++i) {
      t += minutes(10);
      REQUIRE(s.find(fresh->token, t));
    }
    CHECK(s.find(fresh->token, t0 + std::chrono::hours(8) - seconds(1))->idle_expires_at ==
          t0 + std::chrono::hours(8));
    CHECK_FALSE(s.find(fresh->token, t0 + std::chrono::hours(8)));
  }
  SECTION("logout") {
    CHECK(s.end(fresh->token));
    CHECK_FALSE(s.end(fresh->token));
    CHECK_FALSE(s.find(fresh->token, t0));
  }
  SECTION("sweep drops expired sessions") {
    auto other = s.open("bob", Role::viewer, "10.0.0.2", "", t0 + minutes(10));
    s.sweep(t0 + minutes(17));
    CHECK(s.count() == 1);
    CHECK(s.find(other->token, t0 + minutes(17)));
  }
}

TEST_CASE("staff sessions: CSRF token checked exactly") {
  StaffSessions s;
  auto fresh = s.open("alice", Role::viewer, "10.0.0.1", "", t0);
  const auto* session = s.find(fresh->token, t0);
  REQUIRE(session);
  CHECK(s.check_csrf(*session, fresh->csrf_token));
  CHECK_FALSE(s.check_csrf(*session, ""));
  CHECK_FALSE(s.check_csrf(*session, fresh->token));
  CHECK_FALSE(s.check_csrf(*session, fresh->csrf_token.substr(1)));
  auto other = s.open("bob", Role::viewer, "10.0.0.1", "", t0);
  CHECK_FALSE(s.check_csrf(*session, other->csrf_token));
}

TEST_CASE("staff sessions: tokens are never stored raw") {
  StaffSessions s;
  auto a = s.open("alice", Role::viewer, "10.0.0.1", "", t0);
  auto b = s.open("alice", Role::viewer, "10.0.0.1", "", t0);
  const auto keys = s.stored_session_keys();
  REQUIRE(keys.size() == 2);
  for (const auto& k : keys) {
    CHECK(k != a->token);
    CHECK(k != b->token);
    CHECK(k.find(a->token) == std::string::npos);
    CHECK(k.find(b->token) == std::string::npos);
  }
  // Another instance (a restart) knows none of them.
  StaffSessions restarted;
  CHECK_FALSE(restarted.find(a->token, t0));
}

TEST_CASE("staff sessions: 5 failures block the user name and the address independently") {
  StaffSessions s;
  for (int i = 0; i < 5; ++i) {
    REQUIRE_FALSE(s.blocked("alice", "10.0.0.1", t0 + seconds(i)));
    s.note_failure("alice", "10.0.0.1", t0 + seconds(i));
  }
  const auto wait = s.blocked("alice", "10.0.0.1", t0 + seconds(10));
  REQUIRE(wait);
  CHECK(*wait == seconds(900 - 10));

  // The user name from anywhere, case-insensitively; the address for any user name.
  CHECK(s.blocked("alice", "10.9.9.9", t0 + seconds(10)));
  CHECK(s.blocked("ALICE", "10.9.9.9", t0 + seconds(10)));
  CHECK(s.blocked("bob", "10.0.0.1", t0 + seconds(10)));
  CHECK(s.blocked("bob", "::ffff:10.0.0.1", t0 + seconds(10)));
  CHECK_FALSE(s.blocked("bob", "10.9.9.9", t0 + seconds(10)));
  // The window slides: 15 minutes after the first failure, one more try is allowed.
  CHECK_FALSE(s.blocked("alice", "10.0.0.1", t0 + seconds(900)));

  SECTION("by user name alone, from many addresses") {
    StaffSessions t;
    for (int i = 0; i < 5; ++i) t.note_failure("carol", "10.1.0." + std::to_string(i), t0);
    CHECK(t.blocked("carol", "10.1.0.200", t0 + seconds(1)));
    CHECK_FALSE(t.blocked("dave", "10.1.0.200", t0 + seconds(1)));
    for (int i = 0; i < 4; ++i) CHECK_FALSE(t.blocked("x", "10.1.0." + std::to_string(i), t0));
  }
  SECTION("by address alone, across user names; IPv6 by /64") {
    StaffSessions t;
    for (int i = 0; i < 5; ++i)
      t.note_failure("user" + std::to_string(i), "2001:db8::" + std::to_string(i + 1), t0);
    CHECK(t.blocked("someone", "2001:db8::ffff", t0 + seconds(1)));
    CHECK_FALSE(t.blocked("someone", "2001:db8:0:1::1", t0 + seconds(1)));
    CHECK_FALSE(t.blocked("user0", "10.0.0.1", t0 + seconds(1)));
  }
}

TEST_CASE("staff sessions: sync ends sessions of missing, disabled, changed or reset accounts") {
  StaffSessions s;
  const TimePoint opened = t0;
  auto alice = s.open("alice", Role::dealer, "10.0.0.1", "", opened);
  auto bob = s.open("bob", Role::supervisor, "10.0.0.1", "", opened);
  auto carol = s.open("carol", Role::viewer, "10.0.0.1", "", opened);
  auto dave = s.open("dave", Role::admin, "10.0.0.1", "", opened);
  auto erin = s.open("erin", Role::viewer, "10.0.0.1", "", opened);
  auto erin2 = s.open("erin", Role::viewer, "10.0.0.2", "", opened);
  CHECK(s.count() == 6);
  CHECK(s.users() == std::vector<std::string>{"alice", "bob", "carol", "dave", "erin"});

  const std::vector<Account> accounts = {
      account("alice", Role::dealer, opened - seconds(5)),                  // unchanged: stays
      account("bob", Role::supervisor, opened - seconds(5), true),          // disabled
      account("carol", Role::dealer, opened - seconds(5)),                  // role changed
      account("dave", Role::admin, opened + std::chrono::microseconds(1)),  // reset since
      // erin: no longer exists
  };
  CHECK(s.sync(accounts) == 5);
  CHECK(s.count() == 1);
  CHECK(s.find(alice->token, opened + seconds(1)));
  CHECK_FALSE(s.find(bob->token, opened + seconds(1)));
  CHECK_FALSE(s.find(carol->token, opened + seconds(1)));
  CHECK_FALSE(s.find(dave->token, opened + seconds(1)));
  CHECK_FALSE(s.find(erin->token, opened + seconds(1)));
  CHECK_FALSE(s.find(erin2->token, opened + seconds(1)));
  CHECK(s.users() == std::vector<std::string>{"alice"});

  // A login after the reset survives the next sync.
  auto dave_again = s.open("dave", Role::admin, "10.0.0.1", "", opened + seconds(2));
  CHECK(s.sync(accounts) == 0);
  CHECK(s.find(dave_again->token, opened + seconds(3)));

  // An updated_at that cannot be read counts as a change (fail closed).
  auto broken = accounts;
  broken[0].updated_at = "garbage";
  CHECK(s.sync(broken) == 1);
  CHECK_FALSE(s.find(alice->token, opened + seconds(3)));
}

TEST_CASE("staff sessions: end_sessions_of and a full table") {
  StaffSessionSettings settings;
  settings.max_sessions = 3;
  StaffSessions s(settings);
  auto a1 = s.open("alice", Role::viewer, "10.0.0.1", "", t0);
  auto a2 = s.open("alice", Role::viewer, "10.0.0.1", "", t0);
  auto b = s.open("bob", Role::viewer, "10.0.0.1", "", t0);
  REQUIRE((a1 && a2 && b));
  CHECK_FALSE(s.open("carol", Role::viewer, "10.0.0.1", "", t0 + seconds(1)));
  CHECK(s.end_sessions_of("alice") == 2);
  CHECK(s.end_sessions_of("alice") == 0);
  CHECK(s.count() == 1);
  CHECK(s.open("carol", Role::viewer, "10.0.0.1", "", t0 + seconds(1)));
  // Expired sessions make room when the table is full.
  CHECK(s.open("dave", Role::viewer, "10.0.0.1", "", t0 + minutes(20)));
}
