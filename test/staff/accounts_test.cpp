#include "irra/staff/accounts.hpp"

#include <catch2/catch.hpp>

#include "../store/test_db.hpp"

using namespace irra::staff;
using irra::store::test::TestDb;

namespace {

Account sample(std::string user, Role role = Role::dealer) {
  Account a;
  a.user = std::move(user);
  a.role = role;
  a.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA";  // shape only
  a.totp_secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  return a;
}

}  // namespace

TEST_CASE("valid user names") {
  CHECK(valid_user_name("alice"));
  CHECK(valid_user_name("A.b_c-9"));
  CHECK(valid_user_name(std::string(64, 'x')));
  CHECK_FALSE(valid_user_name(""));
  CHECK_FALSE(valid_user_name(std::string(65, 'x')));
  CHECK_FALSE(valid_user_name("a b"));
  CHECK_FALSE(valid_user_name("a:b"));
  CHECK_FALSE(valid_user_name("al'ice"));
  CHECK_FALSE(valid_user_name("ü"));
}

TEST_CASE("roles: names, parsing and order") {
  CHECK(to_string(Role::supervisor) == "supervisor");
  CHECK(parse_role("admin") == Role::admin);
  CHECK_FALSE(parse_role("Admin"));
  CHECK_FALSE(parse_role("root"));
  CHECK(allows(Role::admin, Role::viewer));
  CHECK(allows(Role::dealer, Role::dealer));
  CHECK_FALSE(allows(Role::dealer, Role::supervisor));
  static_assert(allows(Role::supervisor, Role::dealer));
}

TEST_CASE("staff accounts: add, find, list, reset, disable", "[db]") {
  TestDb db;
  auto sql = db.open();

  CHECK_FALSE(accounts::find(*sql, "alice"));
  accounts::add(*sql, sample("alice"));
  accounts::add(*sql, sample("bob", Role::admin));
  CHECK_THROWS_WITH(accounts::add(*sql, sample("alice")), Catch::Contains("already exists"));
  CHECK_THROWS_AS(accounts::add(*sql, sample("no way")), std::invalid_argument);

  auto alice = accounts::find(*sql, "alice");
  REQUIRE(alice);
  CHECK(alice->user == "alice");
  CHECK(alice->role == Role::dealer);
  CHECK(alice->password_hash == sample("x").password_hash);
  CHECK(alice->totp_secret == sample("x").totp_secret);
  CHECK(alice->last_totp_step == 0);
  CHECK_FALSE(alice->disabled);
  CHECK(alice->created_at.size() == 27);
  CHECK(alice->created_at.back() == 'Z');
  CHECK(alice->updated_at == alice->created_at);

  auto all = accounts::list(*sql);
  REQUIRE(all.size() == 2);
  CHECK(all[0].user == "alice");
  CHECK(all[1].user == "bob");
  CHECK(all[1].role == Role::admin);

  accounts::disable(*sql, "alice");
  auto disabled = accounts::find(*sql, "alice");
  REQUIRE(disabled);
  CHECK(disabled->disabled);
  CHECK(disabled->updated_at > alice->updated_at);
  CHECK_THROWS_WITH(accounts::disable(*sql, "carol"), Catch::Contains("no staff user 'carol'"));

  REQUIRE(accounts::consume_totp_step(*sql, "alice", 100));
  accounts::reset(*sql, "alice", "newhash", "NEWSECRET", Role::supervisor);
  auto reset = accounts::find(*sql, "alice");
  REQUIRE(reset);
  CHECK_FALSE(reset->disabled);
  CHECK(reset->password_hash == "newhash");
  CHECK(reset->totp_secret == "NEWSECRET");
  CHECK(reset->role == Role::supervisor);
  CHECK(reset->last_totp_step == 0);
  CHECK(reset->created_at == alice->created_at);
  CHECK(reset->updated_at > disabled->updated_at);
  accounts::reset(*sql, "alice", "h2", "S2", std::nullopt);
  CHECK(accounts::find(*sql, "alice")->role == Role::supervisor);  // kept
  CHECK_THROWS_WITH(accounts::reset(*sql, "carol", "h", "s", std::nullopt),
                    Catch::Contains("no staff user"));
}

TEST_CASE("consume_totp_step takes each step once, and never an earlier one", "[db]") {
  TestDb db;
  auto sql = db.open();
  accounts::add(*sql, sample("alice"));
  CHECK(accounts::consume_totp_step(*sql, "alice", 37037037));
  CHECK_FALSE(accounts::consume_totp_step(*sql, "alice", 37037037));
  CHECK_FALSE(accounts::consume_totp_step(*sql, "alice", 37037036));
  CHECK(accounts::consume_totp_step(*sql, "alice", 37037038));
  CHECK(accounts::find(*sql, "alice")->last_totp_step == 37037038);
  CHECK_FALSE(accounts::consume_totp_step(*sql, "nobody", 1));

  SECTION("a second connection (another process) cannot take the same step") {
    auto other = db.open();
    CHECK(accounts::consume_totp_step(*other, "alice", 37037039));
    CHECK_FALSE(accounts::consume_totp_step(*sql, "alice", 37037039));
  }
}

TEST_CASE("an unknown role in the table makes the account unusable", "[db]") {
  TestDb db;
  auto sql = db.open();
  accounts::add(*sql, sample("alice"));
  *sql << "UPDATE staff_users SET role = 'root' WHERE user_name = 'alice'";
  auto a = accounts::find(*sql, "alice");
  REQUIRE(a);
  CHECK(a->disabled);
  CHECK(a->role == Role::viewer);
}
