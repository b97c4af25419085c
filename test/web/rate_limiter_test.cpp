#include "irra/web/rate_limiter.hpp"

#include <catch2/catch.hpp>

using irra::web::RateLimiter;
using std::chrono::seconds;

namespace {
const RateLimiter::TimePoint t0{seconds(1'700'000'000)};
}

TEST_CASE("the limiter allows N hits in any window and says when the next one fits") {
  RateLimiter rl(3, seconds(60), 100);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(rl.retry_after("k", t0 + seconds(10 * i)) == seconds(0));
    rl.hit("k", t0 + seconds(10 * i));
  }
  CHECK(rl.retry_after("k", t0 + seconds(25)) == seconds(35));  // the t0 hit leaves at t0+60
  CHECK(rl.retry_after("other", t0 + seconds(25)) == seconds(0));
  CHECK(rl.retry_after("k", t0 + seconds(60)) == seconds(0));  // sliding: one slot free
  rl.hit("k", t0 + seconds(60));
  CHECK(rl.retry_after("k", t0 + seconds(60)) == seconds(10));
}

TEST_CASE("retry_after rounds up and is at least a second") {
  RateLimiter rl(1, seconds(10), 100);
  rl.hit("k", t0);
  CHECK(rl.retry_after("k", t0 + std::chrono::milliseconds(9500)) == seconds(1));
  CHECK(rl.retry_after("k", t0 + std::chrono::milliseconds(100)) == seconds(10));
}

TEST_CASE("sweep drops stale keys and a full limiter refuses new keys") {
  RateLimiter rl(2, seconds(60), 2);
  rl.hit("a", t0);
  rl.hit("b", t0 + seconds(30));
  CHECK(rl.size() == 2);
  CHECK(rl.retry_after("c", t0 + seconds(40)) == seconds(60));  // full: fails closed
  CHECK(rl.retry_after("a", t0 + seconds(40)) == seconds(0));   // known keys still served
  CHECK(rl.retry_after("c", t0 + seconds(61)) == seconds(0));   // a went stale: swept
  CHECK(rl.size() == 1);
  rl.sweep(t0 + seconds(200));
  CHECK(rl.size() == 0);
}

TEST_CASE("nonsense limits are rejected") {
  CHECK_THROWS_AS(RateLimiter(0, seconds(1), 1), std::invalid_argument);
  CHECK_THROWS_AS(RateLimiter(1, seconds(0), 1), std::invalid_argument);
  CHECK_THROWS_AS(RateLimiter(1, seconds(1), 0), std::invalid_argument);
}
