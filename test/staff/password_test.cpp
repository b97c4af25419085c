#include "irra/staff/password.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace irra::staff;

TEST_CASE("Argon2id hashes verify the right password only") {
  const auto hash = hash_password("correct horse battery");
  CHECK(hash.rfind("$argon2id$", 0) == 0);
  CHECK(hash.find("m=65536,t=3") != std::string::npos);  // 64 MiB, 3 passes
  CHECK(verify_password(hash, "correct horse battery"));
  CHECK_FALSE(verify_password(hash, "correct horse batterY"));
  CHECK_FALSE(verify_password(hash, ""));
  // Salted: the same password hashes differently each time.
  CHECK(hash_password("correct horse battery") != hash);
}

TEST_CASE("malformed hashes verify nothing") {
  CHECK_FALSE(verify_password("", "x"));
  CHECK_FALSE(verify_password("$argon2id$garbage", "x"));
  CHECK_FALSE(verify_password("plain text password", "plain text password"));
  CHECK_FALSE(verify_password(std::string("$argon2id$\0x", 12), "x"));
  CHECK_FALSE(verify_password(std::string(500, 'a'), "x"));
}

TEST_CASE("generated passwords: 20 unambiguous characters, different each time") {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const auto pw = generate_password();
    CHECK(pw.size() == 20);
    CHECK(pw.find_first_of("0Oo1lIi") == std::string::npos);
    seen.insert(pw);
  }
  CHECK(seen.size() == 50);
}

TEST_CASE("the dummy hash is computed once and matches no password") {
  const auto& a = dummy_hash();
  CHECK(&a == &dummy_hash());
  CHECK(a.rfind("$argon2id$", 0) == 0);
  CHECK_FALSE(verify_password(a, ""));
  CHECK_FALSE(verify_password(a, "password"));
}
