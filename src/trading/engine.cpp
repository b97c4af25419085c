// The engine's core: start-up replay, the ingest path and the batching of writes.
// Order entry is in engine_orders.cpp, the read API in engine_views.cpp.
#include "irra/trading/engine.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <algorithm>
#include <charconv>

#include "fix_convert.hpp"
#include "irra/fix/numbers.hpp"
#include "irra/trading/journal_replay.hpp"
#include "irra/trading/json_views.hpp"
#include "journal.hpp"

namespace net = boost::asio;

namespace irra::trading {

using detail::Batch;
using detail::JournalKind;
using detail::JournalRow;

Engine::Engine(net::any_io_executor strand, domain::Book& book, store::Writer& writer,
               EngineOptions options)
    : strand_(std::move(strand)),
      book_(book),
      writer_(writer),
      options_(std::move(options)),
      retry_timer_(strand_),
      send_timer_(strand_) {
  std::string compact;
  for (char c : book_.trading_date()) {
    if (c != '-') compact += c;
  }
  if (compact.empty()) compact = "00000000";
  cl_ord_prefix_ = "IR" + compact + "-";
  since_ = now();
}

Engine::~Engine() = default;

domain::Timestamp Engine::now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------- start-up replay

namespace {

// "IR20241202-17" -> 17 when the prefix matches.
std::uint64_t counter_of(std::string_view id, std::string_view prefix) {
  if (id.size() <= prefix.size() || id.substr(0, prefix.size()) != prefix) return 0;
  std::uint64_t n = 0;
  const auto tail = id.substr(prefix.size());
  const auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), n);
  return ec == std::errc() && p == tail.data() + tail.size() ? n : 0;
}

// Whether a NewOrderSingle with this ClOrdID was written to the wire (stored first).
bool was_sent(const std::map<std::uint64_t, std::string>& sent, const std::string& cl_ord_id) {
  const std::string new_order = std::string("\x01") + "35=D\x01";
  const std::string field =
      "\x01"
      "11=" +
      cl_ord_id + "\x01";
  for (const auto& [seq, raw] : sent) {
    if (raw.find(new_order) != std::string::npos && raw.find(field) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// When orders and cancels in `sent` went out, by their SendingTime (52), newest first, at
// most `limit` of them: the rate limit's window carries over a restart.
std::vector<std::chrono::system_clock::time_point> recent_send_times(
    const std::map<std::uint64_t, std::string>& sent, std::size_t limit) {
  std::vector<std::chrono::system_clock::time_point> out;
  for (auto it = sent.rbegin(); it != sent.rend() && out.size() < limit; ++it) {
    const std::string& raw = it->second;
    if (raw.find("\x01" "35=D\x01") == std::string::npos &&
        raw.find("\x01" "35=F\x01") == std::string::npos) {
      continue;
    }
    const auto at = raw.find("\x01" "52=");
    if (at == std::string::npos) continue;
    const auto end = raw.find('\x01', at + 4);
    const auto t = fix::parse_utc_timestamp(std::string_view(raw).substr(at + 4, end - at - 4));
    if (t) out.push_back(std::chrono::time_point_cast<std::chrono::system_clock::duration>(*t));
  }
  return out;
}

}  // namespace

ReplayCounts Engine::load(soci::session& sql) {
  ReplayCounts counts;
  const std::string& date = book_.trading_date();
  std::vector<std::string> backup_orders;
  // The same replay as reverse-migrate's (journal_replay.hpp); the engine also takes up its
  // ClOrdID counter and notes the backup orders the Book registered.
  counts = replay_journal(sql, book_, [&](const OwnJournalRow& own) {
    if (own.kind == OwnJournalRow::Kind::order_fail) return;
    cl_ord_counter_ = std::max(cl_ord_counter_, counter_of(own.cl_ord_id, cl_ord_prefix_));
    if (own.kind == OwnJournalRow::Kind::order_new && own.registered) {
      backup_orders.push_back(own.cl_ord_id);
    }
  });

  {  // sequence numbers and sent messages of the day
    std::vector<std::string> name(1000);
    std::vector<long long> in(1000), out(1000);
    sql << "SELECT name, next_in_seq, next_out_seq FROM fix_sessions WHERE trading_date = :d",
        soci::use(date), soci::into(name), soci::into(in), soci::into(out);
    for (std::size_t i = 0; i < name.size(); ++i) {
      const auto next_out = static_cast<std::uint64_t>(out[i]);
      session(name[i]).restore(static_cast<std::uint64_t>(in[i]), next_out,
                               next_out > 0 ? next_out - 1 : 0);
    }
    std::string n, raw;
    long long seq = 0;
    soci::statement st = (sql.prepare << "SELECT name, seq, raw FROM fix_outbound"
                                         " WHERE trading_date = :d ORDER BY name, seq",
                          soci::use(date), soci::into(n), soci::into(seq), soci::into(raw));
    st.execute();
    while (st.fetch()) session(n).sent_[static_cast<std::uint64_t>(seq)] = raw;
  }
  // Orders sent in the last second before a crash still count against the exchange's
  // order-rate limit after the restart.
  if (options_.order_rate_limit > 0) {
    const auto sys_now = std::chrono::system_clock::now();
    const auto steady_now = std::chrono::steady_clock::now();
    std::vector<std::chrono::steady_clock::time_point> recent;
    for (const auto& [name, s] : sessions_) {
      for (const auto t : recent_send_times(s->sent(), options_.order_rate_limit)) {
        const auto age = sys_now - t;
        if (age < std::chrono::seconds(1)) {
          recent.push_back(steady_now - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                            std::max(age, std::chrono::system_clock::duration::zero())));
        }
      }
    }
    std::sort(recent.begin(), recent.end());
    sent_times_.assign(recent.begin(), recent.end());
  }
  {  // Idempotency-Keys answered today
    std::string scope, key, response;
    soci::statement st =
        (sql.prepare << "SELECT scope, idem_key, response FROM idempotency WHERE trading_date = :d",
         soci::use(date), soci::into(scope), soci::into(key), soci::into(response));
    st.execute();
    while (st.fetch()) idem_answers_[IdemKey{scope, key, {}}] = parse_stored_idempotency(response);
  }

  // A backup order journaled but never written to the wire (the crash came between the
  // commit and the send) will never reach the exchange: reject it, durably.
  for (const auto& id : backup_orders) {
    const domain::Order* o = book_.order(id);
    if (o == nullptr || o->status != domain::OrderStatus::pending) continue;
    bool sent = false;
    for (const auto& [name, s] : sessions_) sent = sent || was_sent(s->sent(), id);
    if (sent) continue;
    const std::string reason = "not sent: the server restarted before sending it";
    const auto at = now();
    if (!book_.reject_pending(id, reason, at).ok()) continue;
    JournalRow row;
    row.kind = JournalKind::order_fail;
    row.report.cl_ord_id = id;
    row.report.order_id = id;
    row.report.ucc = o->ucc;
    row.report.instrument_id = o->instrument_id;
    row.report.text = reason;
    row.report.transact_time = at;
    row.received_at = at;
    if (events_) add_order_event(batch(), *o);  // before add_row, which may flush
    add_row(std::move(row));
    ++counts.unsent_orders_failed;
  }
  return counts;
}

// ---------------------------------------------------------------- batching

Batch& Engine::batch() {
  if (!batch_) {
    batch_ = std::make_shared<Batch>();
    batch_->trading_date = book_.trading_date();
  }
  return *batch_;
}

void Engine::schedule_flush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  // Posted behind what the reactor already has queued: one batch per turn.
  net::post(strand_, [this, alive = std::weak_ptr<int>(alive_)] {
    if (alive.expired()) return;
    flush_posted_ = false;
    flush();
  });
}

void Engine::add_row(JournalRow row) {
  auto& b = batch();
  b.rows.push_back(std::move(row));
  if (b.rows.size() >= options_.max_batch_rows) {
    flush();
  } else {
    schedule_flush();
  }
}

void Engine::flush() {
  if (!batch_ || batch_->empty()) return;
  auto b = std::move(batch_);
  batch_.reset();
  // The sessions' numbers as of now: everything the batch holds came before.
  for (auto& [name, s] : b->sessions) {
    const auto it = sessions_.find(name);
    if (it == sessions_.end()) continue;
    s.next_in = it->second->next_in_seq();
    s.next_out = it->second->next_out_seq();
  }
  submit(std::move(b));
}

void Engine::submit(std::shared_ptr<Batch> b) {
  if (!stalled_.empty()) {  // keep the order: behind what is waiting
    stalled_.push_back(std::move(b));
    return;
  }
  auto job = [b](soci::session& sql) { detail::write_batch(sql, *b); };
  auto done = [this, b, alive = std::weak_ptr<int>(alive_)](const store::WriteResult& r) {
    if (alive.expired()) return;
    on_committed(b, r);
  };
  if (writer_.submit(std::move(job), strand_, std::move(done))) {
    ++in_flight_;
    return;
  }
  ++stats_.batches_refused;
  spdlog::warn("database writer refused a batch of {} rows: holding it and retrying",
               b->rows.size());
  stalled_.push_back(std::move(b));
  if (!retry_armed_) {
    retry_armed_ = true;
    retry_timer_.expires_after(options_.retry_delay);
    retry_timer_.async_wait(
        [this, alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec) {
          if (ec || alive.expired()) return;
          retry_armed_ = false;
          resubmit_stalled();
        });
  }
}

void Engine::resubmit_stalled() {
  std::deque<std::shared_ptr<Batch>> waiting;
  waiting.swap(stalled_);
  while (!waiting.empty()) {
    auto b = std::move(waiting.front());
    waiting.pop_front();
    submit(std::move(b));  // once one is refused, the rest queue behind it again
  }
}

void Engine::on_committed(const std::shared_ptr<Batch>& b, const store::WriteResult& r) {
  --in_flight_;
  if (!r.ok) {
    spdlog::critical("a journal batch of {} rows failed to commit: {}", b->rows.size(), r.error);
    for (auto& f : b->on_done) f(false);
    return;
  }
  ++stats_.batches_committed;
  stats_.rows_committed += b->rows.size();
  stats_.last_batch_rows = b->rows.size();
  stats_.max_batch_rows = std::max<std::uint64_t>(stats_.max_batch_rows, b->rows.size());
  for (const auto& [name, s] : b->sessions) {
    const auto it = sessions_.find(name);
    if (it != sessions_.end() && s.max_saved_out > 0) {
      it->second->committed(s.epoch, s.max_saved_out);
    }
  }
  if (!b->updates.empty()) publish(b->updates);
  if (!b->events.empty() && events_committed_) events_committed_();
  for (auto& f : b->on_done) f(true);
}

void Engine::publish(std::vector<Update>& updates) {
  for (const auto& l : listeners_) l(updates);
}

void Engine::subscribe(UpdateListener listener) {
  listeners_.push_back(std::move(listener));
}

void Engine::set_update_filter(std::function<bool(std::string_view ucc)> wanted) {
  update_filter_ = std::move(wanted);
}

void Engine::stop() {
  stopped_ = true;
  flush();
  if (!stalled_.empty()) resubmit_stalled();
  retry_timer_.cancel();
  send_timer_.cancel();
}

// ---------------------------------------------------------------- FIX sessions

SessionStore& Engine::session(std::string_view name) {
  const auto it = sessions_.find(name);
  if (it != sessions_.end()) return *it->second;
  auto s = std::make_unique<SessionStore>(*this, std::string(name));
  auto& ref = *s;
  sessions_.emplace(std::string(name), std::move(s));
  return ref;
}

void Engine::note_seq(std::string_view name, std::uint64_t next_in, std::uint64_t next_out) {
  auto& s = session(name);
  s.note_seqs(next_in, next_out);
  auto& b = batch();
  auto it = b.sessions.find(name);
  if (it == b.sessions.end())
    it = b.sessions.emplace(std::string(name), detail::SessionSeqs{}).first;
  it->second.epoch = s.epoch();
  schedule_flush();
}

void Engine::on_session_seq(std::string_view name, std::uint64_t next_in_seq,
                            std::uint64_t next_out_seq) {
  auto& s = session(name);
  if ((next_in_seq == 0 || next_in_seq == s.next_in_seq()) &&
      (next_out_seq == 0 || next_out_seq == s.next_out_seq())) {
    return;  // nothing new to save
  }
  note_seq(name, next_in_seq, next_out_seq);
}

void Engine::save_outbound(SessionStore& s, std::uint64_t seq, std::string_view raw) {
  auto& b = batch();
  b.outbound.push_back(detail::OutboundRow{s.name(), seq, std::string(raw)});
  note_seq(s.name(), 0, 0);
  auto& seqs = b.sessions.find(s.name())->second;
  seqs.max_saved_out = std::max(seqs.max_saved_out, seq);
}

void Engine::reset_session(SessionStore& s) {
  auto& b = batch();
  // Messages saved before the reset in this same batch belong to the old numbering.
  std::erase_if(b.outbound, [&](const detail::OutboundRow& m) { return m.session == s.name(); });
  b.reset_sessions.push_back(s.name());
  note_seq(s.name(), 0, 0);
  b.sessions.find(s.name())->second.max_saved_out = 0;
}

void Engine::set_session_status(std::string_view name, std::string status) {
  session_status_[std::string(name)] = std::move(status);
}

// ---------------------------------------------------------------- ingest

domain::ApplyStatus Engine::on_execution_report(std::string_view session_name, std::uint64_t seq,
                                                const fix::execution_report& report) {
  std::string why;
  const auto r = to_domain(report, why);
  if (!r) {
    ++stats_.reports_refused;
    spdlog::warn("session {} seq {}: execution report {} not understood: {}", session_name, seq,
                 report.exec_id, why);
    note_seq(session_name, seq + 1, 0);
    return domain::ApplyStatus::refused;
  }
  return on_exec_report(session_name, seq, *r);
}

domain::ApplyStatus Engine::on_exec_report(std::string_view session_name, std::uint64_t seq,
                                           const domain::ExecReport& report) {
  // The seq first, so a batch flushed by this row carries it too.
  note_seq(session_name, seq + 1, 0);
  const auto outcome = book_.apply(report);
  switch (outcome.status) {
    case domain::ApplyStatus::applied: {
      ++stats_.reports_applied;
      JournalRow row;
      row.kind = JournalKind::exec;
      row.session = std::string(session_name);
      row.in_seq = seq;
      row.report = report;
      row.received_at = now();
      if (!listeners_.empty() && (!update_filter_ || update_filter_(outcome.order.ucc))) {
        capture_updates(outcome);
      }
      // Before add_row, which may flush: the events share the journal row's transaction.
      if (events_ && outcome.order.source == domain::OrderSource::backup) capture_events(outcome);
      add_row(std::move(row));
      break;
    }
    case domain::ApplyStatus::duplicate:
      ++stats_.reports_duplicate;
      break;
    case domain::ApplyStatus::refused:
      ++stats_.reports_refused;
      spdlog::warn("session {} seq {}: execution report {} refused: {}", session_name, seq,
                   report.exec_id, outcome.reason);
      break;
  }
  return outcome.status;
}

void Engine::capture_updates(const domain::ApplyOutcome& outcome) {
  auto& b = batch();
  b.updates.push_back(Update{Update::Kind::order, outcome.order.ucc, order_json(outcome.order)});
  if (outcome.trade) {
    b.updates.push_back(
        Update{Update::Kind::trade, outcome.trade->ucc, trade_json(*outcome.trade)});
  }
  // Every report can move the position's pending exit (a new exit order, a cancel, a reject,
  // an expiry) even without a fill, so the position follows each one.
  const domain::PositionKey key =
      outcome.position ? *outcome.position
                       : domain::PositionKey{outcome.order.ucc, outcome.order.instrument_id,
                                             outcome.order.product};
  if (const auto* p = book_.position(key)) {
    b.updates.push_back(Update{Update::Kind::position, p->key().ucc, position_json(book_, *p)});
  }
}

EngineStats Engine::stats() const {
  EngineStats s = stats_;
  s.batches_waiting = in_flight_ + stalled_.size();
  s.send_queue = send_queue_.size();
  for (const auto& [name, store] : sessions_) {
    s.last_seq[name] = store->next_in_seq() > 0 ? store->next_in_seq() - 1 : 0;
  }
  return s;
}

}  // namespace irra::trading
