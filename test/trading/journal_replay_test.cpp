// replay_journal, the journal replay for readers outside the engine, rebuilds exactly the
// engine's own orders, trades and positions, and tells who placed and cancelled what.
#include "irra/trading/journal_replay.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>

#include "engine_env.hpp"

using namespace irra::domain;
using namespace irra::trading;
using namespace irra::trading::test;

TEST_CASE("replaying the journal outside the engine gives the engine's own mirror") {
  EngineEnv env;
  RecordingSender sender;
  env.on_strand([&] { env.engine().set_order_sender(&sender); });
  std::uint64_t seq = 0;
  const auto feed = [&](const ExecReport& r) {
    env.on_strand([&] { env.engine().on_exec_report("DC", ++seq, r); });
  };
  feed(new_report("E1", "O1", Side::buy, 10, "C2"));
  feed(fill_report("E2", "O1", Side::buy, 10, 4, 245000, 4, "C2"));
  feed(fill_report("E2", "O1", Side::buy, 10, 4, 245000, 4, "C2"));  // duplicate
  feed(new_report("E3", "O2", Side::buy, 5, "C1"));

  std::optional<OrderAnswer> answer;
  env.on_strand([&] {
    env.engine().square_off_all(Actor{Origin::staff, "staff:ravi", "ticket 7"}, "C1", "",
                                [&](OrderAnswer a) { answer = std::move(a); });
  });
  env.run_until([&] { return answer.has_value(); });
  REQUIRE(answer);
  REQUIRE(answer->ok());
  REQUIRE_FALSE(answer->order_ids.empty());
  const std::string first = answer->order_ids[0];
  auto ack = new_report("E4", "X1", Side::sell, env.book().order(first)->qty, "C1");
  ack.cl_ord_id = first;
  feed(ack);
  env.settle();

  auto sql = env.connect();
  auto book = EngineEnv::seeded_book();
  std::vector<OwnJournalRow> own;
  const auto counts =
      replay_journal(*sql, *book, [&](const OwnJournalRow& r) { own.push_back(r); });
  CHECK(snapshot(*book) == snapshot(env.book()));
  CHECK(counts.refused == 0);
  CHECK(counts.execs == 4);

  const auto placed = std::count_if(own.begin(), own.end(), [](const OwnJournalRow& r) {
    return r.kind == OwnJournalRow::Kind::order_new && r.registered;
  });
  CHECK(placed == static_cast<long>(answer->order_ids.size()));
  const auto cancel = std::find_if(own.begin(), own.end(), [](const OwnJournalRow& r) {
    return r.kind == OwnJournalRow::Kind::cancel_req;
  });
  REQUIRE(cancel != own.end());  // O2 would add to C1's long position
  CHECK(cancel->order_id == "O2");
  CHECK(cancel->actor == "staff:ravi");
  CHECK(cancel->reason == "ticket 7");
  CHECK(own.front().origin == "staff");
}
