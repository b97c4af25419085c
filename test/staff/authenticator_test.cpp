#include "irra/staff/authenticator.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>

#include "../store/test_db.hpp"
#include "irra/staff/password.hpp"
#include "irra/staff/totp.hpp"

using namespace irra::staff;
using irra::store::test::TestDb;

namespace {

constexpr std::int64_t t0 = 1'700'000'010;  // the middle of a step

struct Fixture {
  TestDb db;
  std::unique_ptr<soci::session> sql = db.open();
  std::string secret = new_totp_secret();

  void add(const std::string& user, const std::string& password, Role role, bool disabled = false) {
    Account a;
    a.user = user;
    a.role = role;
    a.password_hash = hash_password(password);
    a.totp_secret = secret;
    a.disabled = disabled;
    accounts::add(*sql, a);
  }
  std::string code(std::int64_t t) const { return *totp_code(secret, t); }
};

LoginCheck check(Authenticator& auth, std::string user, std::string password, std::string code,
                 std::int64_t now) {
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  std::optional<LoginCheck> out;
  auth.check(std::move(user), std::move(password), std::move(code), now, io.get_executor(),
             [&](LoginCheck r) {
               out = std::move(r);
               guard.reset();
             });
  io.run_for(std::chrono::seconds(60));
  REQUIRE(out);
  return *out;
}

}  // namespace

TEST_CASE("Authenticator: password and TOTP, each code once", "[db]") {
  Fixture f;
  f.add("alice", "alice-password-1", Role::dealer);
  f.add("dora", "dora-password-12", Role::admin, /*disabled=*/true);
  Authenticator auth(f.db.url());

  SECTION("right password and code: ok, with the account's role") {
    const auto r = check(auth, "alice", "alice-password-1", f.code(t0), t0);
    CHECK(r.outcome == LoginCheck::Outcome::ok);
    CHECK(r.user == "alice");
    CHECK(r.role == Role::dealer);
    CHECK(accounts::find(*f.sql, "alice")->last_totp_step == t0 / 30);

    // The same code again, even within its 30 s: refused.
    const auto again = check(auth, "alice", "alice-password-1", f.code(t0), t0 + 5);
    CHECK(again.outcome == LoginCheck::Outcome::wrong);
    CHECK(again.message == "reused code");
    // The previous step's code is older than the one used: refused too.
    CHECK(check(auth, "alice", "alice-password-1", f.code(t0 - 30), t0).outcome ==
          LoginCheck::Outcome::wrong);
    // The next step's code works once.
    CHECK(check(auth, "alice", "alice-password-1", f.code(t0 + 30), t0 + 30).outcome ==
          LoginCheck::Outcome::ok);
  }
  SECTION("the previous step's code is still accepted (clock skew)") {
    CHECK(check(auth, "alice", "alice-password-1", f.code(t0 - 30), t0).outcome ==
          LoginCheck::Outcome::ok);
  }
  SECTION("wrong password: wrong, and the code is not used up") {
    const auto r = check(auth, "alice", "alice-password-2", f.code(t0), t0);
    CHECK(r.outcome == LoginCheck::Outcome::wrong);
    CHECK(r.message == "wrong password");
    CHECK(accounts::find(*f.sql, "alice")->last_totp_step == 0);
  }
  SECTION("wrong code") {
    const auto good = f.code(t0);
    const std::string bad = good == "000000" ? "000001" : "000000";
    const auto r = check(auth, "alice", "alice-password-1", bad, t0);
    CHECK(r.outcome == LoginCheck::Outcome::wrong);
    CHECK(r.message == "wrong code");
    CHECK(check(auth, "alice", "alice-password-1", f.code(t0 - 60), t0).outcome ==
          LoginCheck::Outcome::wrong);
    CHECK(check(auth, "alice", "alice-password-1", "", t0).outcome == LoginCheck::Outcome::wrong);
  }
  SECTION("disabled account: wrong even with the right password and code") {
    const auto r = check(auth, "dora", "dora-password-12", f.code(t0), t0);
    CHECK(r.outcome == LoginCheck::Outcome::wrong);
    CHECK(r.message == "account disabled");
  }
  SECTION("unknown and invalid user names: wrong") {
    const auto r = check(auth, "mallory", "whatever-password", f.code(t0), t0);
    CHECK(r.outcome == LoginCheck::Outcome::wrong);
    CHECK(r.message == "unknown user");
    CHECK(check(auth, "", "", "", t0).outcome == LoginCheck::Outcome::wrong);
    CHECK(check(auth, "bad name'--", "x", "123456", t0).outcome == LoginCheck::Outcome::wrong);
  }
  SECTION("reset re-enables the account and restarts the step count") {
    REQUIRE(check(auth, "alice", "alice-password-1", f.code(t0), t0).outcome ==
            LoginCheck::Outcome::ok);
    accounts::disable(*f.sql, "alice");
    CHECK(check(auth, "alice", "alice-password-1", f.code(t0 + 30), t0 + 30).outcome ==
          LoginCheck::Outcome::wrong);
    accounts::reset(*f.sql, "alice", hash_password("alice-password-3"), f.secret, std::nullopt);
    CHECK(check(auth, "alice", "alice-password-3", f.code(t0 + 60), t0 + 60).outcome ==
          LoginCheck::Outcome::ok);
  }
}

TEST_CASE("Authenticator: accounts() reads every account on the worker", "[db]") {
  Fixture f;
  f.add("alice", "alice-password-1", Role::dealer);
  f.add("bob", "bob-password-123", Role::viewer, true);
  Authenticator auth(f.db.url());
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  std::vector<Account> got;
  auth.accounts(io.get_executor(), [&](std::vector<Account> list) {
    got = std::move(list);
    guard.reset();
  });
  io.run_for(std::chrono::seconds(30));
  REQUIRE(got.size() == 2);
  CHECK(got[0].user == "alice");
  CHECK(got[1].disabled);
}

TEST_CASE("Authenticator: a database that cannot be opened gives error, not wrong") {
  // A directory where the SQLite file should be: connecting fails.
  TestDb db;
  auto url = irra::store::DbUrl::parse("sqlite3://" + db.dir().string());
  Authenticator auth(url);
  const auto r = check(auth, "alice", "whatever-password", "123456", t0);
  CHECK(r.outcome == LoginCheck::Outcome::error);
}

TEST_CASE("Authenticator: a full queue answers busy; stop() drops what waits") {
  TestDb db;
  Authenticator auth(db.url());
  boost::asio::io_context io;
  int busy = 0, answered = 0;
  // Each check costs an Argon2id verification, so most of these wait in the queue.
  for (std::size_t i = 0; i < Authenticator::max_pending_checks + 10; ++i) {
    auth.check("nobody", "password", "123456", t0, io.get_executor(), [&](LoginCheck r) {
      ++answered;
      if (r.outcome == LoginCheck::Outcome::error && r.message == "busy") ++busy;
    });
  }
  auth.stop();
  io.run();
  CHECK(busy >= 9);
  CHECK(answered < static_cast<int>(Authenticator::max_pending_checks) + 10);
}
