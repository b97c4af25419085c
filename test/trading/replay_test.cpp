// The journal rebuilds exactly the state before a crash: a run killed at any point and then
// fed again from the sequence number it had made durable ends equal to a run never killed.
#include <soci/soci.h>

#include <catch2/catch.hpp>

#include "engine_env.hpp"

using namespace irra::domain;
using namespace irra::trading;
using namespace irra::trading::test;

namespace {

// A realistic day in miniature: orders of three clients in two instruments, acknowledged,
// filled in parts, some cancelled with leaves, one rejected.
std::vector<ExecReport> day_stream(int orders) {
  std::vector<ExecReport> out;
  const char* uccs[] = {"C1", "C2", "C3"};
  for (int k = 0; k < orders; ++k) {
    const std::string id = "O" + std::to_string(k);
    const std::string ucc = uccs[k % 3];
    const bool fo = k % 4 == 1;
    const std::string ins = fo ? "NSE:NIFTY24DEC24000CE" : "NSE:RELIANCE";
    const Qty qty = fo ? 75 : 10 + k % 7;
    const Side side = k % 2 == 0 ? Side::buy : Side::sell;
    const Paise px = fo ? 12000 + 5 * (k % 9) : 245000 + 5 * (k % 13);
    out.push_back(new_report("N" + id, id, side, qty, ucc, ins));
    if (k % 11 == 5) {
      auto rej = new_report("R" + id, id + "x", side, qty, ucc, ins);
      rej.exec_type = ExecType::rejected;
      rej.ord_status = OrderStatus::rejected;
      rej.leaves_qty = 0;
      rej.text = "price outside band";
      rej.rej_reason = 5;
      out.push_back(rej);
    }
    const Qty first = fo ? 50 : qty / 2;
    out.push_back(fill_report("F1" + id, id, side, qty, first, px, first, ucc, ins));
    if (k % 5 == 3) {
      auto c = new_report("X" + id, id, side, qty, ucc, ins);
      c.exec_type = ExecType::cancelled;
      c.ord_status = OrderStatus::cancelled;
      c.cum_qty = first;
      c.leaves_qty = 0;
      out.push_back(c);
    } else {
      out.push_back(fill_report("F2" + id, id, side, qty, qty - first, px + 5, qty, ucc, ins));
    }
  }
  return out;
}

// Feeds reports [from, to) with MsgSeqNum = index + 1, `per_turn` per reactor turn.
void feed(EngineEnv& env, const std::vector<ExecReport>& stream, std::size_t from, std::size_t to,
          std::size_t per_turn) {
  for (std::size_t i = from; i < to; i += per_turn) {
    env.on_strand([&] {
      for (std::size_t j = i; j < std::min(to, i + per_turn); ++j) {
        env.engine().on_exec_report("DC", j + 1, stream[j]);
      }
    });
  }
}

}  // namespace

TEST_CASE("a restart after a crash rebuilds exactly the state of a clean run") {
  const auto stream = day_stream(120);
  std::string clean;
  {
    EngineEnv env;
    feed(env, stream, 0, stream.size(), 37);
    env.settle();
    clean = snapshot(env.book());
    REQUIRE(env.engine().stats().reports_applied == stream.size());
  }
  for (const std::size_t crash_at : {std::size_t{1}, std::size_t{100}, std::size_t{250}}) {
    INFO("crash after " << crash_at << " reports");
    EngineOptions opts;
    opts.max_batch_rows = 16;  // some batches leave mid-turn
    EngineEnv env(opts);
    feed(env, stream, 0, crash_at, 10);
    // More reports handled but not yet submitted when the process dies: lost with it.
    for (std::size_t j = crash_at; j < crash_at + 7; ++j) {
      env.engine().on_exec_report("DC", j + 1, stream[j]);
    }
    env.crash_and_restart();

    const auto next = env.engine().session("DC").next_in_seq();
    CHECK(next <= crash_at + 8);
    CHECK(env.replayed().refused == 0);
    // The exchange re-sends from the first number not made durable.
    feed(env, stream, next - 1, stream.size(), 29);
    env.settle();
    CHECK(snapshot(env.book()) == clean);

    env.restart();  // and a clean restart changes nothing
    CHECK(snapshot(env.book()) == clean);
    CHECK(env.count("journal WHERE kind = 'exec'") == static_cast<long long>(stream.size()));
  }
}

TEST_CASE("reports handled in one reactor turn are committed as one batch") {
  EngineEnv env;
  const auto stream = day_stream(30);
  env.on_strand([&] {
    for (std::size_t j = 0; j < stream.size(); ++j)
      env.engine().on_exec_report("DC", j + 1, stream[j]);
  });
  env.settle();
  const auto s = env.engine().stats();
  CHECK(s.batches_committed == 1);
  CHECK(s.rows_committed == stream.size());
  CHECK(s.last_seq.at("DC") == stream.size());
  CHECK(env.count("journal") == static_cast<long long>(stream.size()));
  long long next_in = 0;
  auto sql = env.connect();
  *sql << "SELECT next_in_seq FROM fix_sessions WHERE name = 'DC' AND trading_date = '2024-12-02'",
      soci::into(next_in);
  CHECK(next_in == static_cast<long long>(stream.size() + 1));
}
