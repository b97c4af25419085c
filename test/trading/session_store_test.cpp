// FIX sequence numbers and sent messages are durable per session and trading date.
#include <soci/soci.h>

#include <catch2/catch.hpp>

#include "engine_env.hpp"
#include "irra/store/database.hpp"

using namespace irra;
using namespace irra::trading;
using namespace irra::trading::test;

TEST_CASE("sequence numbers and sent messages survive a restart") {
  EngineEnv env;
  std::vector<std::uint64_t> durable;
  env.on_strand([&] {
    auto& oe = env.engine().session("OE");
    oe.on_durable([&](std::uint64_t seq) { durable.push_back(seq); });
    oe.save(2,
            "8=FIX.4.4\x01"
            "35=D\x01"
            "11=A\x01");
    oe.save(3,
            "8=FIX.4.4\x01"
            "35=D\x01"
            "11=B\x01");
    env.engine().on_session_seq("OE", 7, 4);
    // Not yet committed: the transport must still hold these bytes back.
    CHECK(oe.durable_out_seq() == 0);
  });
  env.settle();
  CHECK(env.engine().session("OE").durable_out_seq() == 3);
  CHECK(durable == std::vector<std::uint64_t>{3});

  env.crash_and_restart();
  auto& oe = env.engine().session("OE");
  CHECK(oe.next_in_seq() == 7);
  CHECK(oe.next_out_seq() == 4);
  std::vector<fix::stored_message> out;
  oe.load(1, 10, out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].seq == 2);
  CHECK(out[1].raw ==
        "8=FIX.4.4\x01"
        "35=D\x01"
        "11=B\x01");
  CHECK(env.engine().session("DC").next_in_seq() == 1);  // never seen: starts at 1
}

TEST_CASE("a new trading date starts the sessions again at 1") {
  EngineEnv env;
  env.on_strand([&] {
    env.engine().session("DC");
    env.engine().on_session_seq("DC", 500, 12);
    env.engine().session("OE").save(5, "raw");
  });
  env.settle();

  // The next day's process: same database, the next day's start-of-day Book.
  auto book = EngineEnv::seeded_book("2024-12-03");
  store::Writer writer(env.url(), store::open(env.url()));
  Engine next_day(env.strand(), *book, writer);
  auto sql = store::connect(env.url());
  next_day.load(*sql);
  CHECK(next_day.session("DC").next_in_seq() == 1);
  CHECK(next_day.session("DC").next_out_seq() == 1);
  std::vector<fix::stored_message> out;
  next_day.session("OE").load(1, 100, out);
  CHECK(out.empty());
}

TEST_CASE("a session reset forgets the day's sent messages durably") {
  EngineEnv env;
  env.on_strand([&] {
    auto& oe = env.engine().session("OE");
    oe.save(1, "one");
    oe.save(2, "two");
  });
  env.settle();
  env.on_strand([&] {
    auto& oe = env.engine().session("OE");
    oe.save(3, "three (lost with the reset)");
    oe.reset();
    oe.save(1, "new one");
  });
  env.settle();
  CHECK(env.count("fix_outbound") == 1);
  env.restart();
  std::vector<fix::stored_message> out;
  env.engine().session("OE").load(1, 100, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].raw == "new one");
  CHECK(env.engine().session("OE").next_out_seq() == 2);
}
