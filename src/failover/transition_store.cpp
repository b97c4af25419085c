#include "irra/failover/transition_store.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "irra/store/audit.hpp"
#include "irra/store/writer.hpp"

namespace net = boost::asio;

namespace irra::failover {
namespace {

// How long start-up waits for its transition to commit (the database may be slow to open).
constexpr auto startup_commit_timeout = std::chrono::seconds(60);

}  // namespace

store::AuditEvent audit_event(const Transition& t) {
  store::AuditEvent e;
  e.ts = domain::format_iso8601(t.at);
  e.type = "mode.change";
  e.actor = t.actor;
  e.detail = nlohmann::json{
      {"from", name(t.from)},
      {"to", name(t.to)},
      {"trigger", name(t.trigger)},
      {"reason",
       t.reason}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return e;
}

std::int64_t insert_transition(soci::session& sql, const Transition& t) {
  const std::string at = domain::format_iso8601(t.at);
  const std::string from(name(t.from));
  const std::string to(name(t.to));
  const std::string trigger(name(t.trigger));
  // A re-run job (a retried batch, a COMMIT whose acknowledgement was lost) finds its row.
  const auto find = [&]() -> std::int64_t {
    long long id = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT MIN(id) FROM mode_transitions WHERE at = :at AND from_mode = :f"
           " AND to_mode = :t AND trigger_kind = :k AND actor = :a",
        soci::use(at), soci::use(from), soci::use(to), soci::use(trigger), soci::use(t.actor),
        soci::into(id, ind);
    return ind == soci::i_ok ? id : 0;
  };
  if (const auto id = find()) return id;
  sql << "INSERT INTO mode_transitions (at, from_mode, to_mode, trigger_kind, actor, reason)"
         " VALUES (:at, :f, :t, :k, :a, :r)",
      soci::use(at), soci::use(from), soci::use(to), soci::use(trigger), soci::use(t.actor),
      soci::use(t.reason);
  return find();
}

std::optional<Transition> load_last_transition(soci::session& sql) {
  long long id = 0;
  std::string at, from, to, trigger, actor, reason;
  soci::indicator ind = soci::i_null;
  sql << "SELECT id, at, from_mode, to_mode, trigger_kind, actor, reason FROM mode_transitions"
         " ORDER BY id DESC LIMIT 1",
      soci::into(id, ind), soci::into(at), soci::into(from), soci::into(to), soci::into(trigger),
      soci::into(actor), soci::into(reason);
  if (!sql.got_data() || ind == soci::i_null) return std::nullopt;
  const auto when = domain::parse_iso8601(at);
  const auto f = parse_mode(from);
  const auto m = parse_mode(to);
  const auto k = parse_trigger(trigger);
  if (!when || !f || !m || !k) {
    throw std::runtime_error("mode_transitions row " + std::to_string(id) +
                             " is not readable (at '" + at + "', from '" + from + "', to '" + to +
                             "', trigger '" + trigger + "')");
  }
  return Transition{*when, *f, *m, *k, actor, reason, id};
}

WriterTransitionStore::WriterTransitionStore(store::Writer& writer, store::AuditChain& audit,
                                             net::any_io_executor strand)
    : writer_(writer), audit_(audit), strand_(std::move(strand)) {}

WriterTransitionStore::~WriterTransitionStore() = default;

void WriterTransitionStore::persist(const Transition& t, PersistDone done) {
  const std::weak_ptr<int> alive = alive_;
  auto id = std::make_shared<std::int64_t>(0);  // set on the writer thread, read after the post
  auto on_row = [this, alive, t, done, id](const store::WriteResult& row) {
    if (alive.expired()) return;
    if (!row.ok) return done(PersistResult{false, false, "database: " + row.error, 0});
    // The row is durable: from here on the transition has happened.
    const bool queued = audit_.append(
        audit_event(t), strand_, [alive, done, id = *id](const store::WriteResult& rec) {
          if (alive.expired()) return;
          done(PersistResult{true, rec.ok, rec.ok ? std::string() : "audit: " + rec.error, id});
        });
    if (!queued) {
      done(PersistResult{true, false, "audit: the database write queue refused it", *id});
    }
  };
  const bool queued = writer_.submit(
      [t, id](soci::session& sql) { *id = insert_transition(sql, t); }, strand_, on_row);
  if (!queued) {
    net::post(strand_, [alive, done] {
      if (alive.expired()) return;
      done(PersistResult{false, false, "the database write queue is full or stopping", 0});
    });
  }
}

std::int64_t persist_at_startup(store::Writer& writer, const Transition& t) {
  auto result = std::make_shared<std::promise<store::WriteResult>>();
  auto future = result->get_future();
  auto id = std::make_shared<std::int64_t>(0);
  const bool queued = writer.submit(
      [t, id](soci::session& sql) {
        *id = insert_transition(sql, t);
        store::AuditChain::append_in(sql, audit_event(t));
      },
      [result](const store::WriteResult& r) { result->set_value(r); });
  if (!queued) throw std::runtime_error("the database writer refused the start-up mode change");
  if (future.wait_for(startup_commit_timeout) != std::future_status::ready) {
    throw std::runtime_error("the start-up mode change was not committed within 60 s");
  }
  const auto r = future.get();
  if (!r.ok) throw std::runtime_error("cannot record the start-up mode change: " + r.error);
  return *id;
}

}  // namespace irra::failover
