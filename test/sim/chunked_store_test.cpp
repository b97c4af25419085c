#include "chunked_store.hpp"

#include <catch2/catch.hpp>
#include <string>

using irra::sim::chunked_store;

TEST_CASE("the store returns exactly the messages saved in a range, skipping unsaved numbers",
          "[sim][store]") {
  chunked_store store(1000);
  store.save(1, "one");
  store.save(2, "two");
  store.save(4, "four");  // 3 was an admin message: never saved
  std::vector<irra::fix::stored_message> out;
  store.load(1, 10, out);
  REQUIRE(out.size() == 3);
  CHECK(out[0].seq == 1);
  CHECK(out[0].raw == "one");
  CHECK(out[2].seq == 4);
  CHECK(out[2].raw == "four");
  out.clear();
  store.load(2, 3, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].raw == "two");
  store.reset();
  out.clear();
  store.load(1, 10, out);
  CHECK(out.empty());
}

TEST_CASE("beyond its window the store drops the oldest messages", "[sim][store]") {
  chunked_store store(200);
  const std::string big(60000, 'x');  // about 140 per chunk
  for (std::uint64_t seq = 1; seq <= 1000; ++seq) store.save(seq, big + std::to_string(seq));
  CHECK(store.evicted() > 0);
  CHECK(store.stored() >= 200);
  CHECK(store.stored() + store.evicted() == 1000);
  std::vector<irra::fix::stored_message> out;
  store.load(1, 1000, out);
  REQUIRE(!out.empty());
  CHECK(out.size() == store.stored());
  CHECK(out.back().seq == 1000);
  CHECK(out.back().raw == big + "1000");
  CHECK(out.front().seq == 1001 - out.size());
}
