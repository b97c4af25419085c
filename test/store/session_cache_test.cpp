#include "irra/store/session_cache.hpp"

#include <soci/soci.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <thread>

#include "irra/store/writer.hpp"
#include "test_db.hpp"

using irra::store::session_cache;
using irra::store::SessionCache;
using irra::store::Writer;
using irra::store::WriterOptions;
using irra::store::test::TestDb;
using namespace std::chrono_literals;

namespace {

// Records its end, and whether its session still answered then (it must: cached
// statements are finalized before their connection closes).
struct Probe final : SessionCache::Entry {
  Probe(soci::session& sql, std::atomic<int>& ended, std::atomic<int>& answered)
      : sql(sql), ended(ended), answered(answered) {}
  ~Probe() override {
    try {
      int one = 0;
      sql << "SELECT 1", soci::into(one);
      if (one == 1) ++answered;
    } catch (const std::exception&) {
    }
    ++ended;
  }
  soci::session& sql;
  std::atomic<int>& ended;
  std::atomic<int>& answered;
};

}  // namespace

TEST_CASE("session_cache answers only the session bound on this thread") {
  TestDb db;
  auto a = db.open();
  auto b = db.open();
  SessionCache outer, inner;
  CHECK(session_cache(*a) == nullptr);
  {
    const SessionCache::Bind bind(outer, *a);
    CHECK(session_cache(*a) == &outer);
    CHECK(session_cache(*b) == nullptr);
    std::thread([&] { CHECK(session_cache(*a) == nullptr); }).join();
    {
      const SessionCache::Bind nested(inner, *b);
      CHECK(session_cache(*b) == &inner);
      CHECK(session_cache(*a) == nullptr);
    }
    CHECK(session_cache(*a) == &outer);
  }
  CHECK(session_cache(*a) == nullptr);

  std::atomic<int> ended{0}, answered{0};
  outer.put("p", std::make_unique<Probe>(*a, ended, answered));
  CHECK(outer.find("p") != nullptr);
  CHECK(outer.find("q") == nullptr);
  outer.put("p", std::make_unique<Probe>(*a, ended, answered));  // replaces the first
  CHECK(ended == 1);
  outer.clear();
  CHECK(ended == 2);
  CHECK(outer.size() == 0);
}

TEST_CASE("the writer keeps a job's cache across batches and clears it before closing") {
  TestDb db;
  WriterOptions opt;
  opt.backoff_initial = 5ms;
  std::atomic<int> made{0}, ended{0}, answered{0}, failures{1};
  auto job = [&](soci::session& sql) {
    SessionCache* cache = session_cache(sql);
    if (cache == nullptr) throw std::logic_error("no session cache");
    if (cache->find("probe") == nullptr) {
      cache->put("probe", std::make_unique<Probe>(sql, ended, answered));
      ++made;
    }
    if (failures.fetch_sub(1) > 0) throw soci::soci_error("simulated lost connection");
  };
  {
    Writer writer(db.url(), db.open(), opt);
    for (int i = 0; i < 5; ++i) {
      std::atomic<bool> done{false}, ok{false};
      // The completion runs on the writer thread: only atomics there, checks here.
      REQUIRE(writer.submit(job, [&](const irra::store::WriteResult& r) {
        ok = r.ok;
        done = true;
      }));
      while (!done) std::this_thread::sleep_for(1ms);
      CHECK(ok);
    }
    // The failed batch dropped the first probe (with its session still open); the retry
    // made a second one, which served every later batch.
    CHECK(made == 2);
    CHECK(ended == 1);
    CHECK(answered == 1);
    CHECK(writer.stats().reconnects == 1);
  }
  CHECK(ended == 2);  // the writer's end cleared it, still before the session closed
  CHECK(answered == 2);
}
