#include "irra/fixnet/backoff.hpp"

#include <catch2/catch.hpp>

using irra::fixnet::backoff;
using ms = std::chrono::milliseconds;

TEST_CASE("reconnect delays grow exponentially with jitter and stay within bounds",
          "[fixnet][backoff]") {
  backoff b(ms{100}, ms{3000}, 7);
  // base doubles: 100, 200, 400, 800, 1600, 3000 (capped), 3000...
  const ms bases[] = {ms{100}, ms{200}, ms{400}, ms{800}, ms{1600}, ms{3000}, ms{3000}};
  for (const ms base : bases) {
    const ms d = b.next();
    CHECK(d >= std::max(ms{100}, base / 2));
    CHECK(d <= base);
  }
  CHECK(b.attempts() == 7);
}

TEST_CASE("reconnect delays start again from the minimum after a reset", "[fixnet][backoff]") {
  backoff b(ms{100}, ms{3000}, 7);
  for (int i = 0; i < 10; ++i) b.next();
  b.reset();
  CHECK(b.attempts() == 0);
  CHECK(b.next() == ms{100});  // base 100: jitter floor is the minimum itself
}

TEST_CASE("jitter spreads the delays of different initiators", "[fixnet][backoff]") {
  backoff a(ms{100}, ms{60000}, 1);
  backoff b(ms{100}, ms{60000}, 2);
  int differ = 0;
  for (int i = 0; i < 10; ++i) differ += a.next() != b.next() ? 1 : 0;
  CHECK(differ >= 5);
}

TEST_CASE("a huge number of attempts never overflows the delay", "[fixnet][backoff]") {
  backoff b(ms{500}, ms{10000}, 3);
  for (int i = 0; i < 1000; ++i) {
    const ms d = b.next();
    REQUIRE(d >= ms{500});
    REQUIRE(d <= ms{10000});
  }
}
