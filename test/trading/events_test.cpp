// Order and trade events (Engine::enable_events): IRRA's own orders and their trades reach
// the outbox in the same transaction as their journal rows; the main site's orders never do.
#include <soci/soci.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine_env.hpp"

using namespace irra::domain;
using namespace irra::trading;
using namespace irra::trading::test;
using nlohmann::json;

namespace {

struct Event {
  std::string event_id, queue;
  json body;
};

std::vector<Event> outbox(EngineEnv& env) {
  auto sql = env.connect();
  std::vector<std::string> ids(1000), queues(1000), bodies(1000);
  *sql << "SELECT event_id, queue, body FROM outbox ORDER BY id", soci::into(ids),
      soci::into(queues), soci::into(bodies);
  std::vector<Event> out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    out.push_back(Event{ids[i], queues[i], json::parse(bodies[i])});
  }
  return out;
}

OrderAnswer square_off(EngineEnv& env, Qty qty) {
  SquareOff s;
  s.instrument_id = "NSE:RELIANCE";
  s.product = Product::mis;
  s.request.qty = qty;
  s.request.order_type = OrderType::market;
  std::optional<OrderAnswer> answer;
  env.on_strand([&] {
    env.engine().square_off(Actor{Origin::investor, "C1", {}}, "C1", s, "",
                            [&](OrderAnswer a) { answer = std::move(a); });
  });
  env.run_until([&] { return answer.has_value(); });
  REQUIRE(answer.has_value());
  return *answer;
}

}  // namespace

TEST_CASE("backup orders and their trades become outbox events with their journal rows") {
  EngineEnv env;
  RecordingSender sender;
  int woken = 0;
  env.on_strand([&] {
    env.engine().set_order_sender(&sender);
    env.engine().enable_events([&] { ++woken; });
  });
  const auto a = square_off(env, 40);
  REQUIRE(a.ok());
  const std::string id = a.order_ids.at(0);

  auto events = outbox(env);
  REQUIRE(events.size() == 1);
  CHECK(events[0].queue == "irra.orders");
  CHECK(events[0].body["type"] == "order");
  CHECK(events[0].body["ucc"] == "C1");
  CHECK(events[0].body["order_id"] == id);
  CHECK(events[0].body["status"] == "PENDING");
  CHECK(events[0].body["source"] == "backup");
  CHECK(events[0].body["event_id"] == events[0].event_id);
  CHECK(woken == 1);

  // The exchange fills it: an order event and a trade event, in that report's batch.
  auto fill = fill_report("F1", "X1", Side::sell, 40, 40, 245000, 40);
  fill.cl_ord_id = id;
  env.on_strand([&] { env.engine().on_exec_report("OE", 1, fill); });
  env.settle();
  events = outbox(env);
  REQUIRE(events.size() == 3);
  CHECK(events[1].queue == "irra.orders");
  CHECK(events[1].body["status"] == "FILLED");
  CHECK(events[1].body["exchange_order_id"] == "X1");
  CHECK(events[2].queue == "irra.trades");
  CHECK(events[2].body["type"] == "trade");
  CHECK(events[2].body["ucc"] == "C1");
  CHECK(events[2].body["trade_id"] == "F1");
  CHECK(events[2].body["qty"] == 40);
  CHECK(events[2].body["order_id"] == id);
  CHECK(woken == 2);

  // The same report again on the drop copy is a duplicate: no second event.
  env.on_strand([&] { env.engine().on_exec_report("DC", 1, fill); });
  env.settle();
  CHECK(outbox(env).size() == 3);
  // Each event committed with the journal row it describes.
  CHECK(env.count("journal WHERE kind = 'exec'") == 1);
}

TEST_CASE("the main site's mirrored orders and trades write no events") {
  EngineEnv env;
  env.on_strand([&] { env.engine().enable_events({}); });
  env.on_strand([&] {
    env.engine().on_exec_report("DC", 1, new_report("N1", "M1", Side::buy, 10));
    env.engine().on_exec_report("DC", 2, fill_report("F2", "M1", Side::buy, 10, 10, 245000, 10));
  });
  env.settle();
  CHECK(env.count("journal WHERE kind = 'exec'") == 2);
  CHECK(outbox(env).empty());
}

TEST_CASE("without enable_events nothing goes to the outbox") {
  EngineEnv env;
  RecordingSender sender;
  env.on_strand([&] { env.engine().set_order_sender(&sender); });
  REQUIRE(square_off(env, 10).ok());
  CHECK(outbox(env).empty());
}
