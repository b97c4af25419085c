#include "irra/fixnet/output_queue.hpp"

#include <catch2/catch.hpp>

using irra::fixnet::output_queue;

TEST_CASE("the output queue releases free bytes in order", "[fixnet][output_queue]") {
  output_queue q(1024);
  REQUIRE(q.push("a", 0));
  REQUIRE(q.push("b", 0));
  std::string out;
  CHECK(q.take_ready(0, out, 1024) == 2);
  CHECK(out == "ab");
  CHECK(q.empty());
  CHECK(q.size_bytes() == 0);
}

TEST_CASE("the output queue holds a message and everything after it until durable",
          "[fixnet][output_queue]") {
  output_queue q(1024);
  REQUIRE(q.push("admin1|", 0));
  REQUIRE(q.push("app5|", 5));
  REQUIRE(q.push("admin6|", 0));
  REQUIRE(q.push("app7|", 7));
  std::string out;
  q.take_ready(4, out, 1024);
  CHECK(out == "admin1|");  // what came before the held message leaves
  CHECK(q.front_held(4));
  out.clear();
  q.take_ready(5, out, 1024);
  // app7 joined app5's run (it waits behind it anyway), so the run needs 7.
  CHECK(out.empty());
  q.take_ready(7, out, 1024);
  CHECK(out == "app5|admin6|app7|");
  CHECK(q.empty());
}

TEST_CASE("the output queue refuses bytes beyond its limit", "[fixnet][output_queue]") {
  output_queue q(10);
  REQUIRE(q.push("12345", 0));
  REQUIRE(q.push("67890", 3));
  CHECK_FALSE(q.push("x", 0));
  CHECK(q.size_bytes() == 10);
  q.clear();
  CHECK(q.empty());
  CHECK(q.push("x", 0));
}

TEST_CASE("free bytes pushed behind held bytes wait for them", "[fixnet][output_queue]") {
  output_queue q(1024);
  REQUIRE(q.push("app2|", 2));
  REQUIRE(q.push("hb3|", 0));
  std::string out;
  q.take_ready(1, out, 1024);
  CHECK(out.empty());
  CHECK(q.front_held(1));
  q.take_ready(2, out, 1024);
  CHECK(out == "app2|hb3|");
}
