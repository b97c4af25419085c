#include "irra/staff/totp.hpp"

#include <catch2/catch.hpp>

using namespace irra::staff;

namespace {
// RFC 6238 appendix B's SHA-1 key, the ASCII "12345678901234567890", in base32.
const std::string rfc_secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
}  // namespace

TEST_CASE("TOTP codes match the RFC 6238 SHA-1 test vectors (last 6 of 8 digits)") {
  const std::pair<std::int64_t, const char*> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [t, code8] : vectors) {
    INFO("t = " << t);
    CHECK(totp_code(rfc_secret, t) == std::string(code8).substr(2));
  }
  // Lower case and padding are accepted; other characters are not.
  CHECK(totp_code("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", 59) == "287082");
  CHECK(totp_code(rfc_secret + "====", 59) == "287082");
  CHECK_FALSE(totp_code("GEZDGNBV1", 59));
  CHECK_FALSE(totp_code("", 59));
}

TEST_CASE("new TOTP secrets are 160 bits of base32 without padding, and differ") {
  const auto a = new_totp_secret(), b = new_totp_secret();
  CHECK(a.size() == 32);
  CHECK(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == std::string::npos);
  CHECK(a != b);
  CHECK(totp_code(a, 1'700'000'000));
}

TEST_CASE("totp_match accepts the current step and one either side, once each") {
  const std::int64_t t = 1111111111;  // step 37037037
  const std::int64_t step = t / 30;
  const auto now = *totp_code(rfc_secret, t);
  const auto before = *totp_code(rfc_secret, t - 30);
  const auto after = *totp_code(rfc_secret, t + 30);
  const auto too_old = *totp_code(rfc_secret, t - 60);
  const auto too_new = *totp_code(rfc_secret, t + 60);

  CHECK(totp_match(rfc_secret, now, t, 0) == step);
  CHECK(totp_match(rfc_secret, before, t, 0) == step - 1);
  CHECK(totp_match(rfc_secret, after, t, 0) == step + 1);
  CHECK_FALSE(totp_match(rfc_secret, too_old, t, 0));
  CHECK_FALSE(totp_match(rfc_secret, too_new, t, 0));

  SECTION("a step already used is refused, and so is any earlier one") {
    CHECK_FALSE(totp_match(rfc_secret, now, t, step));
    CHECK_FALSE(totp_match(rfc_secret, before, t, step));
    CHECK(totp_match(rfc_secret, after, t, step) == step + 1);
    CHECK(totp_match(rfc_secret, now, t, step - 1) == step);
  }
  SECTION("malformed codes and secrets") {
    CHECK_FALSE(totp_match(rfc_secret, "", t, 0));
    CHECK_FALSE(totp_match(rfc_secret, now.substr(0, 5), t, 0));
    CHECK_FALSE(totp_match(rfc_secret, now + "0", t, 0));
    CHECK_FALSE(totp_match(rfc_secret, " " + now.substr(1), t, 0));
    CHECK_FALSE(totp_match("not base32!", now, t, 0));
  }
}

TEST_CASE("the provisioning URI names issuer, user and parameters, percent-encoded") {
  CHECK(provisioning_uri("alice.k", rfc_secret) ==
        "otpauth://totp/IRRA:alice.k?secret=" + rfc_secret +
            "&issuer=IRRA&algorithm=SHA1&digits=6&period=30");
  CHECK(provisioning_uri("a b", "S", "My Broker&Co") ==
        "otpauth://totp/My%20Broker%26Co:a%20b?secret=S&issuer=My%20Broker%26Co"
        "&algorithm=SHA1&digits=6&period=30");
}

TEST_CASE("the terminal QR code is square half-block art with a quiet zone") {
  const auto art = qr_terminal(provisioning_uri("alice", rfc_secret));
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto nl = art.find('\n'); nl != std::string::npos; nl = art.find('\n', start)) {
    lines.push_back(art.substr(start, nl - start));
    start = nl + 1;
  }
  REQUIRE(lines.size() > 10);
  // The first line is the quiet zone: light modules only (full blocks, 3 bytes each).
  const std::string full = "\u2588";
  std::string quiet;
  const std::size_t columns = lines[0].size() / full.size();
  for (std::size_t i = 0; i < columns; ++i) quiet += full;
  CHECK(lines[0] == quiet);
  // Two module rows per line: about half as many lines as columns.
  CHECK(lines.size() == (columns + 1) / 2);
}
