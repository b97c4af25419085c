// The bulk square-off job: durable, paced, resumable, cancellable; MIS (and a segment) only.
#include "irra/trading/bulk_jobs.hpp"

#include <soci/soci.h>

#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <set>

#include "engine_env.hpp"

using namespace irra::domain;
using namespace irra::trading;
using namespace irra::trading::test;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// What reached the "exchange", kept across restarts.
struct Wire {
  struct Sent {
    Clock::time_point at;
    bool cancel = false;
    Order order;
    std::string cancel_cl_ord_id;
  };
  std::vector<Sent> sent;
  std::uint64_t seq = 0;      // the order-entry session's incoming MsgSeqNum
  std::uint64_t out_seq = 0;  // and its outgoing one

  std::size_t new_orders() const {
    return static_cast<std::size_t>(
        std::count_if(sent.begin(), sent.end(), [](const Sent& s) { return !s.cancel; }));
  }
};

ExecReport backup_report(const Order& o, ExecType type, OrderStatus status, Qty cum) {
  ExecReport r;
  r.exec_id = "X-" + o.cl_ord_id + "-" + std::string(to_string(type));
  r.order_id = "EX-" + o.cl_ord_id;
  r.cl_ord_id = o.cl_ord_id;
  r.ucc = o.ucc;
  r.instrument_id = o.instrument_id;
  r.product = o.product;
  r.side = o.side;
  r.exec_type = type;
  r.ord_status = status;
  r.order_qty = o.qty;
  r.ord_type = o.order_type;
  r.price = o.price;
  r.cum_qty = cum;
  r.leaves_qty = is_final(status) ? 0 : o.qty - cum;
  if (type == ExecType::trade) {
    r.last_qty = o.qty;
    r.last_px = o.price;
    r.avg_px = o.price;
  }
  r.transact_time = 1'733'140'000'000'000;
  return r;
}

// A fake order-entry session. Like the real transport, a message goes out only once it is
// stored for resends (SessionStore::save, handed to the writer); each is stamped with the
// time the engine sent it. Optionally fills new orders and confirms cancels. Everything is
// posted: never a call back into the engine from inside its call.
class FakeExchange : public OrderSender {
 public:
  FakeExchange(EngineEnv& env, Wire& wire, bool auto_answer = true)
      : env_(env), wire_(wire), auto_answer_(auto_answer) {}
  ~FakeExchange() override { *live_ = false; }
  // The connection drops (a crash): what was not yet stored never went out.
  void cut() { *live_ = false; }

  void send_new_order(const Order& order) override { out(Clock::now(), false, order, {}); }
  void send_cancel(const Order& order, std::string_view cancel_cl_ord_id) override {
    out(Clock::now(), true, order, std::string(cancel_cl_ord_id));
  }

  // On the strand.
  void fill(const Order& o) {
    env_.engine().on_exec_report("OE", ++wire_.seq,
                                 backup_report(o, ExecType::trade, OrderStatus::filled, o.qty));
  }
  void reject(const Order& o) {
    auto r = backup_report(o, ExecType::rejected, OrderStatus::rejected, 0);
    r.text = "price band";
    env_.engine().on_exec_report("OE", ++wire_.seq, r);
  }

 private:
  void out(Clock::time_point at, bool cancel, const Order& o, std::string cancel_id) {
    boost::asio::post(env_.strand(), [this, live = live_, at, cancel, o, cancel_id] {
      if (!*live) return;
      const std::string& cl = cancel ? cancel_id : o.cl_ord_id;
      env_.engine().session("OE").save(
          ++wire_.out_seq,
          std::string("8=FIX.4.4\x01") + (cancel ? "35=F\x01" : "35=D\x01") + "11=" + cl + "\x01");
      env_.engine().flush();
      wire_.sent.push_back(Wire::Sent{at, cancel, o, cancel_id});
      if (!auto_answer_) return;
      if (!cancel) return fill(o);
      ExecReport r;
      r.exec_id = "XC-" + cancel_id;
      r.order_id = o.order_id;
      r.cl_ord_id = cancel_id;
      r.orig_cl_ord_id = o.cl_ord_id;
      r.ucc = o.ucc;
      r.instrument_id = o.instrument_id;
      r.product = o.product;
      r.side = o.side;
      r.exec_type = ExecType::cancelled;
      r.ord_status = OrderStatus::cancelled;
      r.order_qty = o.qty;
      r.ord_type = o.order_type;
      r.price = o.price;
      r.cum_qty = o.filled_qty;
      r.leaves_qty = 0;
      r.transact_time = 1'733'140'000'000'000;
      env_.engine().on_exec_report("OE", ++wire_.seq, r);
    });
  }

  EngineEnv& env_;
  Wire& wire_;
  bool auto_answer_;
  std::shared_ptr<bool> live_ = std::make_shared<bool>(true);
};

// A main-site order filled in full: opens (or moves) a position, journaled.
void main_fill(EngineEnv& env, std::uint64_t& seq, const std::string& ucc,
               const std::string& instrument, Product product, Side side, Qty qty) {
  const Paise px = instrument == "NSE:RELIANCE" ? 245000 : 12000;
  const std::string id = "M" + std::to_string(seq + 1);
  auto r = fill_report("F" + id, id, side, qty, qty, px, qty, ucc, instrument);
  r.product = product;
  r.price = px;
  env.engine().on_exec_report("DC", ++seq, r);
}

struct Created {
  std::string error;
  json job;
};

struct Bulk {
  Bulk(EngineEnv& env, BulkJobsOptions options = {}) : env(env) {
    jobs = std::make_unique<BulkJobs>(env.strand(), env.engine(), env.writer(), options);
    auto sql = env.connect();
    jobs->load(*sql);
    env.on_strand([&] {
      jobs->on_progress([this](const json& j) { progress.push_back(j); });
      jobs->start();
    });
  }
  ~Bulk() {
    if (jobs) env.on_strand([&] { jobs->stop(); });
  }

  Created create(std::optional<std::string> segment = std::nullopt,
                 Product product = Product::mis) {
    std::optional<Created> out;
    env.on_strand([&] {
      BulkJobSpec spec;
      spec.product = product;
      spec.segment = std::move(segment);
      spec.reason = "intraday square-off: main site down";
      spec.evidence_ref = "TICKET-1";
      spec.created_by = "staff:asha";
      jobs->create(spec, [&](std::string e, json j) { out = Created{std::move(e), std::move(j)}; });
    });
    env.run_until([&] { return out.has_value(); });
    REQUIRE(out.has_value());
    return *out;
  }
  json job(const std::string& id) {
    json j;
    env.on_strand([&] { j = jobs->job(id).value_or(json()); });
    return j;
  }
  bool run_until_state(const std::string& id, const std::string& state,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return env.run_until([&] { return jobs->job(id).value_or(json())["state"] == state; }, timeout);
  }

  EngineEnv& env;
  std::unique_ptr<BulkJobs> jobs;
  std::vector<json> progress;
};

std::string row_state(EngineEnv& env, const std::string& job_id) {
  auto sql = env.connect();
  std::string state;
  *sql << "SELECT state FROM bulk_jobs WHERE job_id = :j", soci::use(job_id), soci::into(state);
  return state;
}

// The job row's state once the writer has caught up (it is saved behind the change).
std::string row_state_settled(EngineEnv& env, const std::string& job_id, const std::string& want) {
  env.run_until([&] { return env.writer().stats().backlog == 0 && row_state(env, job_id) == want; },
                std::chrono::seconds(5));
  return row_state(env, job_id);
}

Qty net(EngineEnv& env, const std::string& ucc, const std::string& instrument, Product product) {
  const auto* p = env.book().position(PositionKey{ucc, instrument, product});
  return p != nullptr ? p->net_qty() : 0;
}

void go_active(EngineEnv& env, FakeExchange& exchange) {
  env.on_strand([&] {
    env.engine().set_order_sender(&exchange);
    env.engine().set_mode("active");
  });
}

}  // namespace

TEST_CASE("a bulk job closes every client's MIS position and leaves NRML alone") {
  EngineEnv env;
  Wire wire;
  FakeExchange exchange(env, wire);
  std::uint64_t seq = 0;
  env.on_strand([&] {
    // C3 buys 2 lots of the NIFTY call MIS (the seed: C1 100 + C2 50 RELIANCE MIS long,
    // C1 75 NIFTY NRML short).
    main_fill(env, seq, "C3", "NSE:NIFTY24DEC24000CE", Product::mis, Side::buy, 50);
  });
  go_active(env, exchange);
  Bulk bulk(env);
  const auto c = bulk.create();
  REQUIRE(c.error.empty());
  const std::string id = c.job["job_id"];
  CHECK(id == "BULK-20241202-001");
  CHECK(c.job["total"] == 3);
  CHECK(c.job["product"] == "MIS");
  CHECK(c.job["segment"].is_null());
  CHECK(c.job["created_by"] == "staff:asha");
  CHECK(c.job["rate_limit"] == 100);
  CHECK(c.job.size() == 14);
  // Durable before it was answered: the row and its items.
  CHECK(env.count("bulk_jobs WHERE job_id = '" + id + "'") == 1);
  CHECK(env.count("bulk_job_items WHERE job_id = '" + id + "'") == 3);

  REQUIRE(bulk.run_until_state(id, "done"));
  const auto j = bulk.job(id);
  CHECK(j["sent"] == 3);
  CHECK(j["filled"] == 3);
  CHECK(j["rejected"] == 0);
  CHECK(j["cancels_sent"] == 0);
  CHECK(net(env, "C1", "NSE:RELIANCE", Product::mis) == 0);
  CHECK(net(env, "C2", "NSE:RELIANCE", Product::mis) == 0);
  CHECK(net(env, "C3", "NSE:NIFTY24DEC24000CE", Product::mis) == 0);
  CHECK(net(env, "C1", "NSE:NIFTY24DEC24000CE", Product::nrml) == -75);
  REQUIRE(wire.new_orders() == 3);
  // In item order (ucc, instrument), journaled as the bulk job's, shown as placed by it.
  CHECK(wire.sent[0].order.ucc == "C1");
  CHECK(wire.sent[1].order.ucc == "C2");
  CHECK(wire.sent[2].order.ucc == "C3");
  for (const auto& s : wire.sent) CHECK(s.order.origin == Origin::bulk);
  CHECK(env.count("journal WHERE kind = 'order_new' AND origin = 'bulk' AND actor = '" + id +
                  "' AND idempotency_key LIKE 'bulk:" + id + ":%'") == 3);
  const auto orders = env.engine().orders("C1");
  REQUIRE_FALSE(orders.empty());
  CHECK(orders.back()["placed_by"] == "bulk");
  CHECK(row_state_settled(env, id, "done") == "done");
  REQUIRE_FALSE(bulk.progress.empty());
  CHECK(bulk.progress.back()["state"] == "done");
  CHECK(bulk.progress.back()["filled"] == 3);

  // Nothing left: a second job has nothing to close and is done at once.
  const auto again = bulk.create();
  REQUIRE(again.error.empty());
  CHECK(again.job["job_id"] == "BULK-20241202-002");
  CHECK(again.job["total"] == 0);
  CHECK(again.job["state"] == "done");
  json list;
  env.on_strand([&] { list = bulk.jobs->jobs(); });
  REQUIRE(list.size() == 2);
  CHECK(list[0]["job_id"] == "BULK-20241202-002");  // newest first
}

TEST_CASE("a bulk job with a segment closes only that segment's positions") {
  EngineEnv env;
  Wire wire;
  FakeExchange exchange(env, wire);
  std::uint64_t seq = 0;
  env.on_strand(
      [&] { main_fill(env, seq, "C3", "NSE:NIFTY24DEC24000CE", Product::mis, Side::sell, 75); });
  go_active(env, exchange);
  Bulk bulk(env);
  const auto c = bulk.create(std::string("FO"));
  REQUIRE(c.error.empty());
  CHECK(c.job["segment"] == "FO");
  CHECK(c.job["total"] == 1);
  REQUIRE(bulk.run_until_state(c.job["job_id"], "done"));
  CHECK(net(env, "C3", "NSE:NIFTY24DEC24000CE", Product::mis) == 0);
  CHECK(net(env, "C1", "NSE:RELIANCE", Product::mis) == 100);
  CHECK(net(env, "C2", "NSE:RELIANCE", Product::mis) == 50);
  CHECK(net(env, "C1", "NSE:NIFTY24DEC24000CE", Product::nrml) == -75);
  REQUIRE(wire.sent.size() == 1);
  CHECK(wire.sent[0].order.side == Side::buy);
  CHECK(wire.sent[0].order.qty == 75);

  CHECK(bulk.create(std::string("XX")).error == "invalid_segment");
}

TEST_CASE("a bulk job first cancels the risk-adding pending orders of its product") {
  EngineEnv env;
  Wire wire;
  FakeExchange exchange(env, wire);
  env.on_strand([&] {
    // C1 (long RELIANCE MIS) has a main-site BUY open: it would add to the position.
    env.engine().on_exec_report("DC", 1, new_report("N1", "M1", Side::buy, 10, "C1"));
    // C2 has a main-site NRML BUY of the call open (no NRML position: risk-adding) but the
    // job is MIS only; and a SELL of RELIANCE MIS 20 that reduces its 50 long (not cancelled).
    auto nrml = new_report("N2", "M2", Side::buy, 25, "C2", "NSE:NIFTY24DEC24000CE");
    nrml.product = Product::nrml;
    nrml.price = 12000;
    env.engine().on_exec_report("DC", 2, nrml);
    env.engine().on_exec_report("DC", 3, new_report("N3", "M3", Side::sell, 20, "C2"));
  });
  go_active(env, exchange);
  Bulk bulk(env);
  const auto c = bulk.create();
  REQUIRE(c.error.empty());
  const std::string id = c.job["job_id"];
  REQUIRE(bulk.run_until_state(id, "done"));
  REQUIRE(wire.sent.size() == 3);
  CHECK(wire.sent[0].cancel);
  CHECK(wire.sent[0].order.order_id == "M1");
  CHECK_FALSE(wire.sent[1].cancel);
  CHECK_FALSE(wire.sent[2].cancel);
  CHECK(env.book().order("M1")->status == OrderStatus::cancelled);
  CHECK_FALSE(env.book().order("M2")->is_final());
  CHECK_FALSE(env.book().order("M3")->is_final());
  // C2's exit of 20 on the main site stays; the job sold the other 30.
  CHECK(wire.sent[2].order.ucc == "C2");
  CHECK(wire.sent[2].order.qty == 30);
  const auto j = bulk.job(id);
  CHECK(j["cancels_sent"] == 1);
  CHECK(j["sent"] == 2);
  CHECK(env.count("journal WHERE kind = 'cancel_req' AND origin = 'bulk' AND actor = '" + id +
                  "'") == 1);
}

TEST_CASE("a bulk job never hands the exchange more than rate_limit orders a second") {
  const std::uint32_t engine_rate = GENERATE(0u, 20u);
  EngineOptions eopts;
  eopts.order_rate_limit = engine_rate;  // 0: only the job paces
  EngineEnv env(eopts);
  Wire wire;
  FakeExchange exchange(env, wire);
  std::uint64_t seq = 0;
  env.on_strand([&] {
    for (int i = 0; i < 50; ++i) {
      const std::string ucc = "K" + std::to_string(100 + i);
      main_fill(env, seq, ucc, "NSE:RELIANCE", Product::mis, Side::buy, 10);
    }
    // One position needing 3 slices (freeze 1800 = 72 lots; 5400 = 216 lots).
    main_fill(env, seq, "K200", "NSE:NIFTY24DEC24000CE", Product::mis, Side::buy, 5400);
  });
  env.settle();
  go_active(env, exchange);
  BulkJobsOptions options;
  options.rate_limit = 20;
  options.tick = std::chrono::milliseconds(20);
  Bulk bulk(env, options);
  const auto c = bulk.create();
  REQUIRE(c.error.empty());
  CHECK(c.job["total"] == 53);
  CHECK(c.job["rate_limit"] == 20);
  std::uint64_t max_queue = 0;
  REQUIRE(env.run_until(
      [&] {
        max_queue = std::max(max_queue, env.engine().stats().send_queue);
        return bulk.job(c.job["job_id"])["state"] == "done";
      },
      std::chrono::seconds(30)));
  CHECK(max_queue <= 5);
  REQUIRE(wire.sent.size() == 55);  // 52 single orders and one position in 3 slices
  std::size_t worst = 0;
  for (std::size_t i = 0; i < wire.sent.size(); ++i) {
    std::size_t n = 0;
    for (std::size_t k = i; k < wire.sent.size(); ++k) {
      if (wire.sent[k].at - wire.sent[i].at < std::chrono::seconds(1)) ++n;
    }
    worst = std::max(worst, n);
  }
  INFO("engine rate " << engine_rate);
  CHECK(worst <= 20);
  CHECK(worst >= 15);  // and it does use the rate
  const auto span = wire.sent.back().at - wire.sent.front().at;
  CHECK(span >= std::chrono::seconds(2));
  CHECK(span < std::chrono::seconds(6));
}

TEST_CASE("bulk job progress follows the fills and rejects fed back through the engine") {
  EngineEnv env;
  Wire wire;
  FakeExchange exchange(env, wire, false);  // answers by hand
  std::uint64_t seq = 0;
  env.on_strand([&] { main_fill(env, seq, "C3", "NSE:RELIANCE", Product::mis, Side::sell, 40); });
  go_active(env, exchange);
  Bulk bulk(env);
  const auto c = bulk.create();
  REQUIRE(c.error.empty());
  const std::string id = c.job["job_id"];
  CHECK(c.job["total"] == 3);
  CHECK(c.job["sent"] == 0);
  REQUIRE(env.run_until([&] { return bulk.job(id)["sent"] == 3; }));
  auto j = bulk.job(id);
  CHECK(j["filled"] == 0);
  CHECK(j["rejected"] == 0);
  CHECK(j["state"] == "running");  // the orders are not final yet
  REQUIRE(wire.sent.size() == 3);
  env.on_strand([&] {
    exchange.fill(wire.sent[0].order);
    exchange.reject(wire.sent[1].order);
  });
  REQUIRE(env.run_until([&] {
    const auto p = bulk.job(id);
    return p["filled"] == 1 && p["rejected"] == 1;
  }));
  CHECK(bulk.job(id)["state"] == "running");
  // The live feed shows it too (at most ~4 updates a second).
  REQUIRE(env.run_until([&] {
    return !bulk.progress.empty() && bulk.progress.back()["filled"] == 1 &&
           bulk.progress.back()["rejected"] == 1;
  }));
  CHECK(net(env, "C1", "NSE:RELIANCE", Product::mis) == 0);
  CHECK(net(env, "C2", "NSE:RELIANCE", Product::mis) == 50);  // the exchange refused it
  env.on_strand([&] { exchange.fill(wire.sent[2].order); });
  REQUIRE(bulk.run_until_state(id, "done"));
  j = bulk.job(id);
  CHECK(j["sent"] == 3);
  CHECK(j["filled"] == 2);
  CHECK(j["rejected"] == 1);
  CHECK(net(env, "C3", "NSE:RELIANCE", Product::mis) == 0);
  CHECK(bulk.progress.back()["state"] == "done");
}

TEST_CASE("a cancelled bulk job stops placing; the orders already sent stay") {
  EngineEnv env;
  Wire wire;
  FakeExchange exchange(env, wire);
  std::uint64_t seq = 0;
  env.on_strand([&] {
    for (int i = 0; i < 20; ++i) {
      main_fill(env, seq, "K" + std::to_string(100 + i), "NSE:RELIANCE", Product::mis, Side::buy,
                5);
    }
  });
  go_active(env, exchange);
  BulkJobsOptions options;
  options.rate_limit = 4;
  options.tick = std::chrono::milliseconds(20);
  Bulk bulk(env, options);
  const auto c = bulk.create();
  REQUIRE(c.error.empty());
  const std::string id = c.job["job_id"];
  CHECK(c.job["total"] == 22);
  // The first second's four orders; the next ones may not go before a second has passed.
  REQUIRE(env.run_until([&] { return wire.new_orders() >= 4; }));
  std::optional<Created> answer;
  env.on_strand([&] {
    bulk.jobs->cancel(id, "staff:ravi", [&](std::string e, json j) {
      answer = Created{std::move(e), std::move(j)};
    });
  });
  REQUIRE(answer.has_value());
  CHECK(answer->error.empty());
  CHECK(answer->job["state"] == "cancelled");
  const auto sent_at_cancel = wire.new_orders();
  env.run_until([] { return false; }, std::chrono::milliseconds(1500));
  CHECK(wire.new_orders() == sent_at_cancel);
  CHECK(sent_at_cancel == 4);
  const auto j = bulk.job(id);
  CHECK(j["state"] == "cancelled");
  CHECK(j["sent"] == static_cast<std::int64_t>(sent_at_cancel));
  CHECK(j["filled"] == static_cast<std::int64_t>(sent_at_cancel));  // the sent ones filled
  CHECK(row_state_settled(env, id, "cancelled") == "cancelled");

  answer.reset();
  env.on_strand([&] {
    bulk.jobs->cancel(id, "staff:ravi", [&](std::string e, json j) {
      answer = Created{std::move(e), std::move(j)};
    });
  });
  CHECK(answer->error == "already_finished");
  answer.reset();
  env.on_strand([&] {
    bulk.jobs->cancel("BULK-NOPE", "staff:ravi", [&](std::string e, json j) {
      answer = Created{std::move(e), std::move(j)};
    });
  });
  CHECK(answer->error == "not_found");
  // A new job may start now.
  CHECK(bulk.create().error.empty());
}

TEST_CASE("bulk jobs are refused outside ACTIVE and while one is unfinished; they pause") {
  EngineEnv env;
  Wire wire;
  FakeExchange exchange(env, wire, false);
  env.on_strand([&] { env.engine().set_order_sender(&exchange); });
  BulkJobsOptions options;
  options.rate_limit = 1;  // one order a second: the job is still placing below
  options.tick = std::chrono::milliseconds(20);
  Bulk bulk(env, options);
  CHECK(bulk.create().error == "standby");
  env.on_strand([&] { env.engine().set_mode("recovery"); });
  CHECK(bulk.create().error == "recovery");
  CHECK(env.count("bulk_jobs") == 0);

  env.on_strand([&] {
    env.engine().set_mode("active");
    bulk.jobs->on_mode("active");
  });
  const auto c = bulk.create();
  REQUIRE(c.error.empty());
  const std::string id = c.job["job_id"];
  CHECK(bulk.create().error == "job_running");
  REQUIRE(env.run_until([&] { return wire.new_orders() == 1; }));

  env.on_strand([&] {
    env.engine().set_mode("standby");
    bulk.jobs->on_mode("standby");
  });
  CHECK(bulk.job(id)["state"] == "paused");
  CHECK(bulk.create().error == "standby");
  env.run_until([] { return false; }, std::chrono::milliseconds(1500));
  CHECK(wire.new_orders() == 1);  // nothing placed while paused
  CHECK(row_state_settled(env, id, "paused") == "paused");
  CHECK(bulk.progress.back()["state"] == "paused");

  env.on_strand([&] {
    env.engine().set_mode("active");
    bulk.jobs->on_mode("active");
  });
  CHECK(bulk.job(id)["state"] == "running");
  REQUIRE(env.run_until([&] { return wire.new_orders() == 2; }, std::chrono::seconds(5)));
  CHECK(bulk.create().error == "job_running");
}

TEST_CASE("a bulk job resumes after a crash without sending any slice twice") {
  EngineOptions eopts;
  eopts.order_rate_limit = 20;
  EngineEnv env(eopts);
  Wire wire;
  std::uint64_t seq = 0;
  const int clients = 30;
  env.on_strand([&] {
    for (int i = 0; i < clients; ++i) {
      main_fill(env, seq, "K" + std::to_string(100 + i), "NSE:RELIANCE", Product::mis, Side::buy,
                7);
    }
    // A risk-adding main-site BUY of one of them: cancelled before the crash.
    auto r = new_report("N-open", "M-open", Side::buy, 3, "K100");
    env.engine().on_exec_report("DC", ++seq, r);
  });
  env.settle();
  std::string id;
  {
    auto exchange = std::make_unique<FakeExchange>(env, wire);
    go_active(env, *exchange);
    BulkJobsOptions options;
    options.rate_limit = 10;
    options.tick = std::chrono::milliseconds(20);
    Bulk bulk(env, options);
    const auto c = bulk.create();
    REQUIRE(c.error.empty());
    id = c.job["job_id"];
    CHECK(c.job["total"] == clients + 2);  // the seed's C1 and C2 too
    REQUIRE(env.run_until([&] { return wire.new_orders() >= 12; }));
    // kill -9 in the middle of the job: the BulkJobs, engine and writer vanish.
    bulk.jobs.reset();
    exchange->cut();
    env.crash_and_restart();
  }
  const auto before = wire.sent.size();
  CHECK(before < static_cast<std::size_t>(clients + 3));
  CHECK(env.book().order("M-open")->status == OrderStatus::cancelled);

  auto exchange = std::make_unique<FakeExchange>(env, wire);
  // The exchange resends what the crash swallowed: fills of orders sent but not yet answered.
  env.on_strand([&] {
    for (const auto& s : wire.sent) {
      if (s.cancel) continue;
      const Order* o = env.book().order(s.order.order_id);
      if (o != nullptr && !o->is_final()) exchange->fill(s.order);
    }
  });
  BulkJobsOptions options;
  options.rate_limit = 10;
  options.tick = std::chrono::milliseconds(20);
  Bulk bulk(env, options);  // load() after the engine's load, then start(): still standby
  CHECK(bulk.job(id)["state"] == "paused");
  env.on_strand([&] {
    env.engine().set_order_sender(exchange.get());
    env.engine().set_mode("active");
    bulk.jobs->on_mode("active");
  });
  REQUIRE(bulk.run_until_state(id, "done", std::chrono::seconds(30)));
  CHECK(wire.sent.size() > before);

  // No ClOrdID went out twice, and no position was sold more than it held.
  std::set<std::string> ids;
  std::map<std::string, Qty> sold;
  for (const auto& s : wire.sent) {
    const auto& cl = s.cancel ? s.cancel_cl_ord_id : s.order.cl_ord_id;
    CHECK(ids.insert(cl).second);
    if (!s.cancel) sold[s.order.ucc] += s.order.qty;
  }
  for (int i = 0; i < clients; ++i) {
    const std::string ucc = "K" + std::to_string(100 + i);
    CHECK(sold[ucc] == 7);
    CHECK(net(env, ucc, "NSE:RELIANCE", Product::mis) == 0);
  }
  CHECK(net(env, "C1", "NSE:RELIANCE", Product::mis) == 0);
  CHECK(net(env, "C2", "NSE:RELIANCE", Product::mis) == 0);
  const auto j = bulk.job(id);
  CHECK(j["total"] == clients + 2);
  CHECK(j["sent"] == clients + 2);
  CHECK(j["filled"] == clients + 2);
  CHECK(j["rejected"] == 0);
  CHECK(j["cancels_sent"] == 1);
  CHECK(row_state_settled(env, id, "done") == "done");

  // A later restart shows the finished job with its counts.
  bulk.jobs.reset();
  env.restart();
  Bulk again(env);
  const auto k = again.job(id);
  CHECK(k["state"] == "done");
  CHECK(k["sent"] == clients + 2);
  CHECK(k["filled"] == clients + 2);
  CHECK(k["cancels_sent"] == 1);
}
