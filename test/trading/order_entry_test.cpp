// Order entry: risk-checked, durable before it is sent, idempotent, paced.
#include <soci/soci.h>

#include <catch2/catch.hpp>
#include <future>
#include <optional>
#include <thread>

#include "engine_env.hpp"

using namespace irra::domain;
using namespace irra::trading;
using namespace irra::trading::test;

namespace {

const PositionKey c1_reliance{"C1", "NSE:RELIANCE", Product::mis};

Actor investor(const std::string& ucc) {
  return Actor{Origin::investor, ucc, {}};
}

SquareOff reliance_off(std::optional<Qty> qty) {
  SquareOff s;
  s.instrument_id = "NSE:RELIANCE";
  s.product = Product::mis;
  s.request.qty = qty;
  s.request.order_type = OrderType::market;
  return s;
}

// Issues a request on the strand and runs the reactor until it is answered.
OrderAnswer await(EngineEnv& env, const std::function<void(OrderCompletion)>& request) {
  std::optional<OrderAnswer> answer;
  env.on_strand([&] { request([&](OrderAnswer a) { answer = std::move(a); }); });
  env.run_until([&] { return answer.has_value(); });
  REQUIRE(answer.has_value());
  return *answer;
}

long long journal_rows_for(EngineEnv& env, const std::string& cl_ord_id) {
  auto sql = env.connect();
  long long n = 0;
  *sql << "SELECT COUNT(*) FROM journal WHERE cl_ord_id = :c AND kind IN ('order_new', "
          "'cancel_req')",
      soci::use(cl_ord_id), soci::into(n);
  return n;
}

}  // namespace

TEST_CASE("a square-off is journaled before it reaches the order sender") {
  EngineEnv env;
  RecordingSender sender;
  int checked = 0;
  sender.on_call = [&](const RecordingSender::Call& c) {
    // At the moment of sending, the order's journal row is committed (read on another
    // connection).
    CHECK(journal_rows_for(env, c.order.cl_ord_id) == 1);
    ++checked;
  };
  env.on_strand([&] { env.engine().set_order_sender(&sender); });
  const auto a = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C1"), "C1", reliance_off(40), "", std::move(done));
    // Placed at once (pending), but not sent before the commit.
    CHECK(sender.calls.empty());
    CHECK(env.book().pending_exit_qty(c1_reliance) == 40);
  });
  REQUIRE(a.ok());
  CHECK(a.http_status() == 202);
  REQUIRE(a.body["orders"].size() == 1);
  CHECK(a.body["orders"][0]["qty"] == 40);
  CHECK(a.body["orders"][0]["side"] == "SELL");
  CHECK(a.body["orders"][0]["source"] == "backup");
  CHECK(a.body["orders"][0]["status"] == "PENDING");
  REQUIRE(sender.calls.size() == 1);
  CHECK(checked == 1);
  CHECK(sender.calls[0].order.qty == 40);
  CHECK(sender.calls[0].order.cl_ord_id == "IR20241202-1");
  CHECK(sender.calls[0].order.order_type == OrderType::limit);  // market is protected
}

TEST_CASE(
    "a square-off never exceeds squareoff_qty even for two requests before the first commits") {
  EngineEnv env;
  RecordingSender sender;
  std::vector<OrderAnswer> answers(3);
  int answered = 0;
  env.on_strand([&] {
    env.engine().set_order_sender(&sender);
    auto keep = [&](int i) {
      return [&, i](OrderAnswer a) {
        answers[i] = std::move(a);
        ++answered;
      };
    };
    // A double click: both arrive before the first one's journal row commits.
    env.engine().square_off(investor("C1"), "C1", reliance_off(80), "", keep(0));
    env.engine().square_off(investor("C1"), "C1", reliance_off(80), "", keep(1));
    env.engine().square_off(investor("C1"), "C1", reliance_off(std::nullopt), "", keep(2));
  });
  env.run_until([&] { return answered == 3; });
  REQUIRE(answered == 3);
  int ok = 0;
  Qty sent = 0;
  for (const auto& a : answers) {
    if (a.ok()) ++ok;
  }
  CHECK(ok == 2);  // 80, then "everything" = the 20 left
  CHECK(answers[1].error == Errc::increases_risk);
  CHECK(answers[1].http_status() == 422);
  CHECK(answers[1].body["error"] == "increases_risk");
  CHECK(answers[2].body["orders"][0]["qty"] == 20);
  for (const auto& c : sender.calls) sent += c.order.qty;
  CHECK(sent == 100);
  CHECK(env.book().squareoff_qty(c1_reliance) == 0);
  // And a fourth, now that everything is pending to exit:
  const auto more = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C1"), "C1", reliance_off(1), "", std::move(done));
  });
  CHECK(more.error == Errc::increases_risk);
}

TEST_CASE("risk refusals carry the contract's codes and place nothing") {
  EngineEnv env;
  auto refuse = [&](const std::string& ucc, SquareOff s) {
    return await(env, [&](OrderCompletion done) {
      env.engine().square_off(investor(ucc), ucc, s, "", std::move(done));
    });
  };
  CHECK(refuse("C3", reliance_off(10)).error == Errc::no_position);
  SquareOff lots;
  lots.instrument_id = "NSE:NIFTY24DEC24000CE";
  lots.product = Product::nrml;
  lots.request.qty = 30;
  CHECK(refuse("C1", lots).error == Errc::not_lot_multiple);
  auto off_tick = reliance_off(10);
  off_tick.request.order_type = OrderType::limit;
  off_tick.request.price = 245003;
  CHECK(refuse("C1", off_tick).error == Errc::off_tick);
  auto outside = off_tick;
  outside.request.price = 300000;
  CHECK(refuse("C1", outside).error == Errc::outside_band);
  CHECK(env.book().orders().empty());
  CHECK(env.count("journal") == 0);
}

TEST_CASE("an Idempotency-Key replay returns the first answer and sends nothing") {
  EngineEnv env;
  RecordingSender sender;
  env.on_strand([&] { env.engine().set_order_sender(&sender); });
  std::vector<OrderAnswer> answers(2);
  int answered = 0;
  env.on_strand([&] {
    auto keep = [&](int i) {
      return [&, i](OrderAnswer a) {
        answers[i] = std::move(a);
        ++answered;
      };
    };
    env.engine().square_off(investor("C1"), "C1", reliance_off(10), "key-1", keep(0));
    // A retry with the same key while the first is still in flight waits for its answer.
    env.engine().square_off(investor("C1"), "C1", reliance_off(10), "key-1", keep(1));
  });
  env.run_until([&] { return answered == 2; });
  REQUIRE(answered == 2);
  REQUIRE(answers[0].ok());
  CHECK_FALSE(answers[0].replayed);
  CHECK(answers[1].replayed);
  CHECK(answers[1].body == answers[0].body);
  const auto again = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C1"), "C1", reliance_off(10), "key-1", std::move(done));
  });
  CHECK(again.replayed);
  CHECK(again.body == answers[0].body);
  CHECK(again.order_ids == answers[0].order_ids);
  CHECK(sender.calls.size() == 1);
  CHECK(env.book().orders().size() == 1);

  // The key is scoped to the client: C2's "key-1" is a different request.
  const auto other = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C2"), "C2", reliance_off(10), "key-1", std::move(done));
  });
  CHECK_FALSE(other.replayed);

  env.restart();
  env.on_strand([&] { env.engine().set_order_sender(&sender); });
  const auto after = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C1"), "C1", reliance_off(10), "key-1", std::move(done));
  });
  CHECK(after.replayed);
  CHECK(after.body == answers[0].body);
  CHECK(sender.calls.size() == 2);  // C1's once, C2's once

  // The same key for another request, even after the restart, is refused and sends nothing.
  const auto reused = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C1"), "C1", reliance_off(20), "key-1", std::move(done));
  });
  CHECK(reused.error == Errc::idempotency_key_reused);
  CHECK(http_status(reused.error) == 422);
  const auto all = await(env, [&](OrderCompletion done) {
    env.engine().square_off_all(investor("C1"), "C1", "key-1", std::move(done));
  });
  CHECK(all.error == Errc::idempotency_key_reused);
  CHECK(sender.calls.size() == 2);
}

TEST_CASE("an Idempotency-Key in flight refuses a different request at once") {
  EngineEnv env;
  RecordingSender sender;
  env.on_strand([&] { env.engine().set_order_sender(&sender); });
  std::vector<OrderAnswer> answers(2);
  int answered = 0;
  env.on_strand([&] {
    auto keep = [&](int i) {
      return [&, i](OrderAnswer a) {
        answers[i] = std::move(a);
        ++answered;
      };
    };
    env.engine().square_off(investor("C1"), "C1", reliance_off(10), "key-2", keep(0));
    env.engine().square_off(investor("C1"), "C1", reliance_off(20), "key-2", keep(1));
  });
  env.run_until([&] { return answered == 2; });
  REQUIRE(answered == 2);
  CHECK(answers[0].ok());
  CHECK(answers[1].error == Errc::idempotency_key_reused);
  CHECK(sender.calls.size() == 1);
}

TEST_CASE("a writer refusal answers unavailable and leaves no pending order") {
  EngineEnv env;
  RecordingSender sender;
  env.on_strand([&] { env.engine().set_order_sender(&sender); });
  env.writer().drain_and_stop();  // it refuses every job from now on
  const auto a = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C1"), "C1", reliance_off(10), "k", std::move(done));
  });
  CHECK(a.error == Errc::unavailable);
  CHECK(a.http_status() == 503);
  CHECK(env.book().pending_exit_qty(c1_reliance) == 0);
  CHECK(env.book().squareoff_qty(c1_reliance) == 100);
  for (const auto& o : env.book().orders()) CHECK(o.status != OrderStatus::pending);
  CHECK(sender.calls.empty());
}

// Holds the writer thread inside a job (a commit hanging on a frozen database) until opened.
struct WriterGate {
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  irra::store::WriteJob job() {
    return [this](soci::session&) {
      started.set_value();
      released.wait();
    };
  }
};

bool wait_for(const std::function<bool()>& pred) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

TEST_CASE("a stalled database refuses order entry at once, and it resumes when it answers") {
  irra::store::WriterOptions wopts;
  wopts.stall_threshold = std::chrono::milliseconds(50);
  EngineEnv env({}, wopts);
  RecordingSender sender;
  env.on_strand([&] { env.engine().set_order_sender(&sender); });
  WriterGate gate;
  REQUIRE(env.writer().submit(gate.job()));
  gate.started.get_future().wait();
  REQUIRE(wait_for([&] { return !env.writer().healthy(); }));

  const auto t0 = std::chrono::steady_clock::now();
  const auto a = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C1"), "C1", reliance_off(10), "k1", std::move(done));
  });
  const auto all = await(env, [&](OrderCompletion done) {
    env.engine().square_off_all(investor("C1"), "C1", "k2", std::move(done));
  });
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));  // not a hang
  CHECK(a.error == Errc::unavailable);
  CHECK(a.http_status() == 503);
  CHECK(all.error == Errc::unavailable);
  CHECK(env.book().pending_exit_qty(c1_reliance) == 0);
  for (const auto& o : env.book().orders()) CHECK(o.status != OrderStatus::pending);
  CHECK(sender.calls.empty());

  gate.release.set_value();
  REQUIRE(wait_for([&] { return env.writer().healthy(); }));
  const auto b = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C1"), "C1", reliance_off(10), "k3", std::move(done));
  });
  CHECK(b.ok());
  env.run_until([&] { return sender.calls.size() == 1; });
  CHECK(sender.calls.size() == 1);
}

TEST_CASE("order entry refuses while the write backlog is above the high-water mark") {
  irra::store::WriterOptions wopts;
  wopts.capacity = 10;
  wopts.batch_limit = 10;
  wopts.stall_threshold = std::chrono::milliseconds(0);  // only the backlog counts here
  EngineOptions opts;
  opts.writer_high_water_percent = 80;
  EngineEnv env(opts, wopts);
  RecordingSender sender;
  env.on_strand([&] { env.engine().set_order_sender(&sender); });
  WriterGate gate;
  REQUIRE(env.writer().submit(gate.job()));
  gate.started.get_future().wait();
  for (int i = 0; i < 7; ++i) REQUIRE(env.writer().submit([](soci::session&) {}));
  REQUIRE(env.writer().backlog() == 8);  // 80% of 10
  REQUIRE(env.writer().healthy());

  const auto a = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C1"), "C1", reliance_off(10), "", std::move(done));
  });
  CHECK(a.error == Errc::unavailable);
  CHECK(a.http_status() == 503);
  CHECK(env.book().pending_exit_qty(c1_reliance) == 0);
  CHECK(sender.calls.empty());
  // The drop copy's journal still has room: a report is applied and committed.
  env.on_strand([&] { env.engine().on_exec_report("DC", 1, new_report("N1", "M1", Side::buy, 10)); });

  gate.release.set_value();
  env.settle();
  REQUIRE(wait_for([&] { return env.writer().backlog() == 0; }));
  CHECK(env.count("journal WHERE exec_id = 'N1'") == 1);
  const auto b = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C1"), "C1", reliance_off(10), "", std::move(done));
  });
  CHECK(b.ok());
}

TEST_CASE("ClOrdIDs stay unique across restarts, and an order never sent is rejected at start") {
  EngineEnv env;
  RecordingSender sender;
  sender.is_ready = false;  // the order-entry session is down: orders queue
  env.on_strand([&] { env.engine().set_order_sender(&sender); });
  const auto first = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C1"), "C1", reliance_off(10), "", std::move(done));
  });
  REQUIRE(first.ok());
  CHECK(sender.calls.empty());

  env.crash_and_restart();  // dies before the order went out
  CHECK(env.replayed().unsent_orders_failed == 1);
  const auto* o = env.book().order(first.order_ids.at(0));
  REQUIRE(o != nullptr);
  CHECK(o->status == OrderStatus::rejected);
  CHECK(env.book().pending_exit_qty(c1_reliance) == 0);

  env.on_strand([&] { env.engine().set_order_sender(&sender); });
  sender.is_ready = true;
  const auto second = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C1"), "C1", reliance_off(10), "", std::move(done));
  });
  REQUIRE(second.ok());
  CHECK(second.order_ids.at(0) != first.order_ids.at(0));
  CHECK(second.order_ids.at(0) == "IR20241202-2");
  env.run_until([&] { return sender.calls.size() == 1; });
  REQUIRE(sender.calls.size() == 1);

  // Sent this time: the transport stored the NewOrderSingle before writing it.
  env.on_strand([&] {
    env.engine().session("OE").save(1,
                                    "8=FIX.4.4\x01"
                                    "35=D\x01"
                                    "11=" +
                                        second.order_ids.at(0) + "\x01");
  });
  env.settle();
  env.restart();
  CHECK(env.replayed().unsent_orders_failed == 0);
  CHECK(env.book().order(second.order_ids.at(0))->status == OrderStatus::pending);
  CHECK(env.book().order(first.order_ids.at(0))->status == OrderStatus::rejected);
  const auto third = await(env, [&](OrderCompletion done) {
    env.engine().square_off(investor("C1"), "C1", reliance_off(5), "", std::move(done));
  });
  CHECK(third.order_ids.at(0) == "IR20241202-3");
}

TEST_CASE("square-off-all cancels risk-adding orders first, then closes every position") {
  EngineEnv env;
  RecordingSender sender;
  env.on_strand([&] {
    env.engine().set_order_sender(&sender);
    // C1, long RELIANCE, has a main-site BUY open: it would add to the position.
    env.engine().on_exec_report("DC", 1, new_report("N1", "M1", Side::buy, 10));
  });
  const auto a = await(env, [&](OrderCompletion done) {
    env.engine().square_off_all(investor("C1"), "C1", "", std::move(done));
  });
  REQUIRE(a.ok());
  REQUIRE(a.body["cancelled"].size() == 1);
  CHECK(a.body["cancelled"][0]["order_id"] == "M1");
  CHECK(a.body["orders"].size() == 2);
  REQUIRE(sender.calls.size() == 3);
  CHECK(sender.calls[0].cancel);
  CHECK(sender.calls[0].order.order_id == "M1");
  CHECK_FALSE(sender.calls[1].cancel);
  CHECK_FALSE(sender.calls[2].cancel);
  CHECK(env.book().squareoff_qty(c1_reliance) == 0);
  CHECK(env.book().squareoff_qty(PositionKey{"C1", "NSE:NIFTY24DEC24000CE", Product::nrml}) == 0);
  // The short option is bought back.
  bool bought = false;
  for (const auto& c : sender.calls) {
    bought = bought || (c.order.instrument_id == "NSE:NIFTY24DEC24000CE" &&
                        c.order.side == Side::buy && c.order.qty == 75);
  }
  CHECK(bought);
}

TEST_CASE("a cancel is refused for another client's order and for a final one") {
  EngineEnv env;
  RecordingSender sender;
  env.on_strand([&] {
    env.engine().set_order_sender(&sender);
    env.engine().on_exec_report("DC", 1, new_report("N1", "M1", Side::sell, 10));
    env.engine().on_exec_report("DC", 2, fill_report("F2", "M2", Side::sell, 5, 5, 245000, 5));
  });
  auto cancel = [&](const std::string& ucc, const std::string& id) {
    return await(env, [&](OrderCompletion done) {
      env.engine().cancel_order(investor(ucc), ucc, id, std::move(done));
    });
  };
  CHECK(cancel("C2", "M1").error == Errc::not_found);  // exists, but not C2's: 404
  CHECK(cancel("C2", "M1").http_status() == 404);
  CHECK(cancel("C1", "nope").error == Errc::not_found);
  CHECK(cancel("C1", "M2").error == Errc::not_cancellable);
  CHECK(cancel("C1", "M2").http_status() == 409);
  CHECK(sender.calls.empty());
  const auto ok = cancel("C1", "M1");
  REQUIRE(ok.ok());
  CHECK(ok.body["order"]["order_id"] == "M1");
  REQUIRE(sender.calls.size() == 1);
  CHECK(sender.calls[0].cancel);
  CHECK(sender.calls[0].cancel_cl_ord_id == "IR20241202-1");
  CHECK(journal_rows_for(env, "IR20241202-1") == 1);
}

TEST_CASE("the order rate limit paces what is sent") {
  EngineOptions opts;
  opts.order_rate_limit = 2;  // at most 2 in any one second
  EngineEnv env(opts);
  RecordingSender sender;
  std::vector<std::chrono::steady_clock::time_point> at;
  sender.on_call = [&](const RecordingSender::Call&) {
    at.push_back(std::chrono::steady_clock::now());
  };
  env.on_strand([&] { env.engine().set_order_sender(&sender); });
  for (int i = 0; i < 4; ++i) {
    const auto a = await(env, [&](OrderCompletion done) {
      env.engine().square_off(investor("C1"), "C1", reliance_off(5), "", std::move(done));
    });
    REQUIRE(a.ok());
  }
  CHECK(sender.calls.size() <= 3);
  env.run_until([&] { return sender.calls.size() == 4; }, std::chrono::seconds(5));
  REQUIRE(at.size() == 4);
  // Four orders at 2/s: two at once, the next two a second later; no one-second window
  // ever holds three.
  CHECK(at[2] - at[0] >= std::chrono::milliseconds(995));
  CHECK(at[3] - at[1] >= std::chrono::milliseconds(995));
}

TEST_CASE("staff and bulk Idempotency-Keys are scoped to who acted and for whom") {
  EngineEnv env;
  RecordingSender sender;
  env.on_strand([&] { env.engine().set_order_sender(&sender); });
  const auto off = [&](const Actor& actor, const std::string& ucc, const std::string& key) {
    return await(env, [&](OrderCompletion done) {
      env.engine().square_off(actor, ucc, reliance_off(5), key, std::move(done));
    });
  };
  // A staff user named like a bulk job does not share the job's keys.
  const Actor staff{irra::domain::Origin::staff, "BULK-20241202-001", "client called [evidence: C-1]"};
  const Actor bulk{irra::domain::Origin::bulk, "BULK-20241202-001", "intraday square-off"};
  const auto a = off(staff, "C1", "bulk:BULK-20241202-001:0");
  const auto b = off(bulk, "C1", "bulk:BULK-20241202-001:0");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK_FALSE(b.replayed);
  CHECK(a.order_ids != b.order_ids);
  // A long staff name: the scope is a digest, never a cut that drops the client.
  const Actor long_name{irra::domain::Origin::staff, std::string(64, 'd'), "r"};
  const auto c1 = off(long_name, "C1", "k");
  const auto c2 = off(long_name, "C2", "k");
  REQUIRE(c1.ok());
  REQUIRE(c2.ok());
  CHECK_FALSE(c2.replayed);
  CHECK(env.book().order(c2.order_ids.at(0))->ucc == "C2");
  // And the same staff user, client and key again is a replay.
  const auto again = off(long_name, "C2", "k");
  CHECK(again.replayed);
  CHECK(again.order_ids == c2.order_ids);
}
