// The bulk square-off job (see bulk_jobs.hpp).
#include "irra/trading/bulk_jobs.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <charconv>
#include <map>
#include <stdexcept>
#include <tuple>

#include "irra/domain/book.hpp"
#include "irra/domain/risk.hpp"
#include "irra/store/sql_dialect.hpp"

namespace net = boost::asio;

namespace irra::trading {

using nlohmann::json;

namespace {

constexpr int max_attempts = 4;  // the first key and three retries of never-sent orders
constexpr auto publish_interval = std::chrono::milliseconds(250);
const std::string_view not_sent_prefix = "not sent:";

std::string compact_date(const std::string& date) {
  std::string out;
  for (char c : date) {
    if (c != '-') out += c;
  }
  return out.empty() ? std::string("00000000") : out;
}

// The order ids of a stored Idempotency-Key answer ({"request","answer"} or the bare body).
std::vector<std::string> stored_order_ids(const std::string& response) {
  std::vector<std::string> ids;
  auto j = json::parse(response, nullptr, false);
  if (j.is_object() && j.contains("answer")) j = j["answer"];
  if (!j.is_object() || !j.contains("orders") || !j["orders"].is_array()) return ids;
  for (const auto& o : j["orders"]) {
    if (o.is_object() && o.contains("order_id") && o["order_id"].is_string()) {
      ids.push_back(o["order_id"].get<std::string>());
    }
  }
  return ids;
}

}  // namespace

BulkJobs::BulkJobs(net::any_io_executor strand, Engine& engine, store::Writer& writer,
                   BulkJobsOptions options)
    : strand_(std::move(strand)),
      engine_(engine),
      writer_(writer),
      options_(std::move(options)),
      timer_(strand_) {}

BulkJobs::~BulkJobs() = default;

std::string BulkJobs::now_iso() const {
  if (options_.clock) return domain::format_iso8601(options_.clock());
  return domain::format_iso8601(std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
}

std::string_view BulkJobs::state_name(State s) {
  switch (s) {
    case State::running:
      return "running";
    case State::paused:
      return "paused";
    case State::cancelled:
      return "cancelled";
    case State::done:
      return "done";
  }
  return "running";
}

Actor BulkJobs::actor_of(const Job& j) const {
  return Actor{domain::Origin::bulk, j.job_id, j.reason};
}

std::string BulkJobs::idempotency_key(const Job& j, const Item& it) {
  std::string key = "bulk:" + j.job_id + ":" + std::to_string(it.no);
  if (it.attempt > 0) key += ":r" + std::to_string(it.attempt);
  return key;
}

BulkJobs::Job* BulkJobs::find(std::string_view job_id) {
  for (auto& j : jobs_) {
    if (j.job_id == job_id) return &j;
  }
  return nullptr;
}

const BulkJobs::Job* BulkJobs::find(std::string_view job_id) const {
  for (const auto& j : jobs_) {
    if (j.job_id == job_id) return &j;
  }
  return nullptr;
}

json BulkJobs::job_json(const Job& j) const {
  return json{
      {"job_id", j.job_id},
      {"product", domain::to_string(j.product)},
      {"segment", j.segment.empty() ? json(nullptr) : json(j.segment)},
      {"reason", j.reason},
      {"created_by", j.created_by},
      {"created_at", j.created_at},
      {"updated_at", j.updated_at},
      {"state", state_name(j.state)},
      {"total", static_cast<std::int64_t>(j.items.size())},
      {"sent", j.counts.sent},
      {"filled", j.counts.filled},
      {"rejected", j.counts.rejected},
      {"cancels_sent", j.cancels_sent},
      {"rate_limit", options_.rate_limit},
  };
}

// ---------------------------------------------------------------- start-up

void BulkJobs::load(soci::session& sql) {
  const std::string& date = engine_.trading_date();
  const std::string prefix = "BULK-" + compact_date(date) + "-";
  {
    std::string id, product, segment, reason, evidence, by, created, updated, state;
    long long total = 0;
    soci::statement st =
        (sql.prepare << "SELECT job_id, product, segment, reason, evidence_ref, created_by,"
                        " created_at, updated_at, state, total FROM bulk_jobs"
                        " WHERE trading_date = :d ORDER BY created_at, job_id",
         soci::use(date), soci::into(id), soci::into(product), soci::into(segment),
         soci::into(reason), soci::into(evidence), soci::into(by), soci::into(created),
         soci::into(updated), soci::into(state), soci::into(total));
    st.execute();
    while (st.fetch()) {
      Job j;
      j.job_id = id;
      j.product = domain::parse_product(product).value_or(domain::Product::mis);
      j.segment = segment;
      j.reason = reason;
      j.evidence_ref = evidence;
      j.created_by = by;
      j.created_at = created;
      j.updated_at = updated;
      j.state = state == "paused"      ? State::paused
                : state == "cancelled" ? State::cancelled
                : state == "done"      ? State::done
                                       : State::running;
      jobs_.push_back(std::move(j));
      if (id.size() > prefix.size() && id.compare(0, prefix.size(), prefix) == 0) {
        std::int64_t n = 0;
        const auto tail = std::string_view(id).substr(prefix.size());
        const auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), n);
        if (ec == std::errc() && p == tail.data() + tail.size()) job_seq_ = std::max(job_seq_, n);
      }
    }
  }
  if (jobs_.empty()) return;
  {
    std::string id, ucc, instrument;
    long long no = 0;
    soci::statement st =
        (sql.prepare << "SELECT i.job_id, i.item_no, i.ucc, i.instrument_id FROM bulk_job_items i"
                        " JOIN bulk_jobs j ON j.job_id = i.job_id WHERE j.trading_date = :d"
                        " ORDER BY i.job_id, i.item_no",
         soci::use(date), soci::into(id), soci::into(no), soci::into(ucc), soci::into(instrument));
    st.execute();
    Job* j = nullptr;
    while (st.fetch()) {
      if (j == nullptr || j->job_id != id) j = find(id);
      if (j == nullptr) continue;
      Item it;
      it.no = no;
      it.ucc = ucc;
      it.instrument_id = instrument;
      j->items.push_back(std::move(it));
    }
  }
  {  // the answers stored under the jobs' Idempotency-Keys
    std::string scope, key, response;
    soci::statement st =
        (sql.prepare << "SELECT scope, idem_key, response FROM idempotency"
                        " WHERE trading_date = :d AND idem_key LIKE 'bulk:%'",
         soci::use(date), soci::into(scope), soci::into(key), soci::into(response));
    st.execute();
    while (st.fetch()) stored_[key] = stored_order_ids(response);
  }
  {  // the cancels the jobs sent
    std::string actor, order_id;
    soci::statement st =
        (sql.prepare << "SELECT actor, order_id FROM journal WHERE trading_date = :d"
                        " AND kind = 'cancel_req' AND origin = 'bulk'",
         soci::use(date), soci::into(actor), soci::into(order_id));
    st.execute();
    while (st.fetch()) {
      if (Job* j = find(actor)) {
        if (j->cancelled_orders.insert(order_id).second) ++j->cancels_sent;
      }
    }
  }
  // Finished jobs: their items as the stored answers show them (the latest attempt of each).
  for (auto& j : jobs_) {
    if (unfinished(j)) continue;
    for (std::size_t i = 0; i < j.items.size(); ++i) {
      auto& it = j.items[i];
      std::optional<std::vector<std::string>> ids;
      for (int a = 0; a < max_attempts; ++a) {
        it.attempt = a;
        const auto f = stored_.find(idempotency_key(j, it));
        if (f == stored_.end()) break;
        ids = f->second;
      }
      if (ids && !ids->empty()) {
        --it.attempt;
        it.order_ids = std::move(*ids);
        it.state = ItemState::placed;
        j.open.push_back(i);
      } else {
        it.attempt = 0;
        it.state = ItemState::skipped;
      }
    }
    j.dirty = true;
    refresh(j);
  }
}

void BulkJobs::start() {
  started_ = true;
  stopped_ = false;
  active_ = engine_.mode() == "active";
  for (auto& j : jobs_) {
    if (!unfinished(j)) continue;
    if (active_ && j.state == State::paused) {
      set_state(j, State::running);
    } else if (!active_ && j.state == State::running) {
      set_state(j, State::paused);
    }
  }
  kick();
  arm();
}

void BulkJobs::stop() {
  stopped_ = true;
  timer_.cancel();
  timer_armed_ = false;
}

void BulkJobs::on_progress(std::function<void(const json& job)> listener) {
  listeners_.push_back(std::move(listener));
}

bool BulkJobs::busy() const {
  if (creating_) return true;
  return std::any_of(jobs_.begin(), jobs_.end(), [&](const Job& j) { return unfinished(j); });
}

// ---------------------------------------------------------------- requests

void BulkJobs::create(const BulkJobSpec& spec,
                      std::function<void(std::string error, json job)> done) {
  const std::string& mode = engine_.mode();
  if (mode != "active") return done(mode == "recovery" ? "recovery" : "standby", json());
  if (busy()) return done("job_running", json());
  std::optional<domain::Segment> segment;
  if (spec.segment && !spec.segment->empty()) {
    segment = domain::parse_segment(*spec.segment);
    if (!segment) return done("invalid_segment", json());
  }

  const domain::Book& book = engine_.book();
  Job j;
  j.job_id = "BULK-" + compact_date(engine_.trading_date()) + "-";
  const std::string n = std::to_string(job_seq_ + 1);
  j.job_id += std::string(n.size() < 3 ? 3 - n.size() : 0, '0') + n;
  j.product = spec.product;
  j.segment = segment ? std::string(domain::to_string(*segment)) : std::string();
  j.reason = spec.reason;
  j.evidence_ref = spec.evidence_ref;
  j.created_by = spec.created_by;
  j.created_at = now_iso();
  j.updated_at = j.created_at;
  j.state = State::running;
  for (const auto& p : book.positions()) {
    const auto& key = p.key();
    if (key.product != spec.product) continue;
    if (segment) {
      const auto* ins = book.instrument(key.instrument_id);
      if (ins == nullptr || ins->segment != *segment) continue;
    }
    if (p.net_qty() == 0 && book.squareoff_qty(key) <= 0) continue;
    Item it;
    it.ucc = key.ucc;
    it.instrument_id = key.instrument_id;
    j.items.push_back(std::move(it));
  }
  std::sort(j.items.begin(), j.items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.ucc, a.instrument_id) < std::tie(b.ucc, b.instrument_id);
  });
  for (std::size_t i = 0; i < j.items.size(); ++i) j.items[i].no = static_cast<std::int64_t>(i);

  // The row and every item in ONE writer job (idempotent: the writer may run it again).
  struct Rows {
    std::string job_id, date, product, segment, reason, evidence, by, created, state;
    long long total = 0;
    std::vector<std::string> item_job, ucc, instrument, item_product;
    std::vector<long long> item_no;
  };
  auto rows = std::make_shared<Rows>();
  rows->job_id = j.job_id;
  rows->date = engine_.trading_date();
  rows->product = std::string(domain::to_string(j.product));
  rows->segment = j.segment;
  rows->reason = j.reason;
  rows->evidence = j.evidence_ref;
  rows->by = j.created_by;
  rows->created = j.created_at;
  rows->state = "running";
  rows->total = static_cast<long long>(j.items.size());
  for (const auto& it : j.items) {
    rows->item_job.push_back(j.job_id);
    rows->item_no.push_back(it.no);
    rows->ucc.push_back(it.ucc);
    rows->instrument.push_back(it.instrument_id);
    rows->item_product.push_back(rows->product);
  }
  const auto backend = writer_.backend();
  auto write = [rows, backend](soci::session& sql) {
    const auto job_sql = store::insert_or_ignore_sql(
        backend, "bulk_jobs",
        {"job_id", "trading_date", "product", "segment", "reason", "evidence_ref", "created_by",
         "created_at", "updated_at", "state", "total"});
    sql << job_sql, soci::use(rows->job_id), soci::use(rows->date), soci::use(rows->product),
        soci::use(rows->segment), soci::use(rows->reason), soci::use(rows->evidence),
        soci::use(rows->by), soci::use(rows->created), soci::use(rows->created),
        soci::use(rows->state), soci::use(rows->total);
    long long mine = 0;
    sql << "SELECT COUNT(*) FROM bulk_jobs WHERE job_id = :j AND created_at = :c"
           " AND created_by = :b",
        soci::use(rows->job_id), soci::use(rows->created), soci::use(rows->by), soci::into(mine);
    if (mine != 1) throw std::runtime_error("bulk job id " + rows->job_id + " is already taken");
    if (rows->item_no.empty()) return;
    const auto item_sql = store::insert_or_ignore_sql(
        backend, "bulk_job_items", {"job_id", "item_no", "ucc", "instrument_id", "product"});
    constexpr std::size_t chunk = 500;
    for (std::size_t from = 0; from < rows->item_no.size(); from += chunk) {
      const std::size_t to = std::min(rows->item_no.size(), from + chunk);
      std::vector<std::string> job(rows->item_job.begin() + from, rows->item_job.begin() + to);
      std::vector<long long> no(rows->item_no.begin() + from, rows->item_no.begin() + to);
      std::vector<std::string> ucc(rows->ucc.begin() + from, rows->ucc.begin() + to);
      std::vector<std::string> ins(rows->instrument.begin() + from, rows->instrument.begin() + to);
      std::vector<std::string> prod(rows->item_product.begin() + from,
                                    rows->item_product.begin() + to);
      sql << item_sql, soci::use(job), soci::use(no), soci::use(ucc), soci::use(ins),
          soci::use(prod);
    }
  };
  auto job = std::make_shared<Job>(std::move(j));
  auto committed = [this, job, done = std::move(done),
                    alive = std::weak_ptr<int>(alive_)](const store::WriteResult& r) mutable {
    if (alive.expired()) return;
    creating_ = false;
    if (!r.ok) {
      spdlog::error("bulk job {} could not be written: {}", job->job_id, r.error);
      return done("unavailable", json());
    }
    ++job_seq_;
    jobs_.push_back(std::move(*job));
    Job& j = jobs_.back();
    spdlog::info("bulk job {} created by {}: {} positions of {}{}{}", j.job_id, j.created_by,
                 j.items.size(), domain::to_string(j.product), j.segment.empty() ? "" : " ",
                 j.segment);
    if (engine_.mode() != "active") {
      set_state(j, State::paused);
    } else {
      publish(j, true);
    }
    refresh(j);  // a job with nothing to close is done at once
    done("", job_json(j));
    kick();
    arm();
  };
  creating_ = true;
  if (!writer_.submit(std::move(write), strand_, std::move(committed))) {
    creating_ = false;
    done("unavailable", json());
  }
}

std::optional<json> BulkJobs::job(std::string_view job_id) const {
  if (const Job* j = find(job_id)) return job_json(*j);
  return std::nullopt;
}

json BulkJobs::jobs() const {
  json out = json::array();
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) out.push_back(job_json(*it));
  return out;
}

void BulkJobs::cancel(std::string_view job_id, std::string actor,
                      std::function<void(std::string error, json job)> done) {
  Job* j = find(job_id);
  if (j == nullptr) return done("not_found", json());
  if (!unfinished(*j)) return done("already_finished", job_json(*j));
  spdlog::info("bulk job {} cancelled by {} ({} of {} positions sent)", j->job_id, actor,
               j->counts.sent, j->items.size());
  set_state(*j, State::cancelled);
  done("", job_json(*j));
  arm();
}

void BulkJobs::on_mode(const std::string& mode) {
  active_ = mode == "active";
  for (auto& j : jobs_) {
    if (active_ && j.state == State::paused) {
      set_state(j, State::running);
    } else if (!active_ && j.state == State::running) {
      set_state(j, State::paused);
    }
  }
  kick();
  arm();
}

// ---------------------------------------------------------------- state, persistence, feed

void BulkJobs::set_state(Job& j, State s) {
  if (j.state == s) return;
  j.state = s;
  j.updated_at = now_iso();
  persist(j);
  publish(j, true);
}

void BulkJobs::persist(Job& j) {
  j.persist_pending = false;
  auto write = [id = j.job_id, state = std::string(state_name(j.state)),
                at = j.updated_at](soci::session& sql) {
    sql << "UPDATE bulk_jobs SET state = :s, updated_at = :u WHERE job_id = :j", soci::use(state),
        soci::use(at), soci::use(id);
  };
  auto committed = [this, id = j.job_id,
                    alive = std::weak_ptr<int>(alive_)](const store::WriteResult& r) {
    if (alive.expired() || r.ok) return;
    spdlog::warn("bulk job {}: state not saved ({}); trying again", id, r.error);
    if (Job* job = find(id)) job->persist_pending = true;
    arm();
  };
  if (!writer_.submit(std::move(write), strand_, std::move(committed))) {
    j.persist_pending = true;  // the tick offers the latest state again
    arm();
  }
}

void BulkJobs::publish(Job& j, bool force) {
  const auto t = std::chrono::steady_clock::now();
  if (!force && (j.counts == j.published || t - j.published_at < publish_interval)) return;
  j.published = j.counts;
  j.published_at = t;
  if (listeners_.empty()) return;
  const json body = job_json(j);
  for (const auto& l : listeners_) l(body);
}

// ---------------------------------------------------------------- running

void BulkJobs::arm() {
  if (timer_armed_ || !started_ || stopped_) return;
  const bool needed = std::any_of(jobs_.begin(), jobs_.end(), [&](const Job& j) {
    return unfinished(j) || !j.open.empty() || j.persist_pending || j.in_flight > 0 ||
           j.counts != j.published;
  });
  if (!needed) return;
  timer_armed_ = true;
  timer_.expires_after(options_.tick);
  timer_.async_wait(
      [this, alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec) {
        if (alive.expired()) return;
        timer_armed_ = false;
        if (ec || stopped_) return;
        on_tick();
      });
}

void BulkJobs::kick() {
  if (kick_posted_ || stopped_) return;
  kick_posted_ = true;
  net::post(strand_, [this, alive = std::weak_ptr<int>(alive_)] {
    if (alive.expired()) return;
    kick_posted_ = false;
    if (!started_ || stopped_) return;
    for (auto& j : jobs_) {
      if (j.state == State::running) pump(j);
    }
  });
}

void BulkJobs::on_tick() {
  // The mode as the engine shows it, in case a change was not passed on through on_mode.
  const bool active = engine_.mode() == "active";
  if (active != active_) on_mode(engine_.mode());
  for (auto& j : jobs_) {
    j.backoff = false;
    if (j.persist_pending) persist(j);
    if (!j.open.empty() || j.dirty) refresh(j);
    if (j.state == State::running) pump(j);
    publish(j, false);
  }
  arm();
}

std::uint64_t BulkJobs::predicted_slices(const Job& j, const Item& it) const {
  const domain::Book& book = engine_.book();
  const domain::Qty sq =
      book.squareoff_qty(domain::PositionKey{it.ucc, it.instrument_id, j.product});
  if (sq <= 0) return 0;
  const auto* ins = book.instrument(it.instrument_id);
  const domain::Qty max = ins != nullptr ? ins->max_order_qty() : 0;
  if (max <= 0) return 1;
  return static_cast<std::uint64_t>((sq + max - 1) / max);
}

void BulkJobs::observe_sends() {
  const auto s = engine_.stats();
  const auto t = std::chrono::steady_clock::now();
  const std::uint64_t total = s.orders_sent + s.cancels_sent;
  if (observed_once_ && total > last_sent_total_) {
    window_.push_back(WindowEntry{t, total - last_sent_total_});
    window_sum_ += total - last_sent_total_;
  }
  observed_once_ = true;
  last_sent_total_ = total;
  while (!window_.empty() && window_.front().at + std::chrono::seconds(1) <= t) {
    window_sum_ -= window_.front().sends;
    window_.pop_front();
  }
  send_queue_ = s.send_queue;
}

bool BulkJobs::budget(std::uint64_t n) {
  const std::uint64_t rate = options_.rate_limit;
  if (rate == 0) return send_queue_ < 100;
  if (send_queue_ > std::max<std::uint64_t>(1, rate / 4)) return false;
  const std::uint64_t used = window_sum_ + reserved_ + send_queue_;
  if (used + n <= rate) return true;
  return used == 0;  // a position needing more slices than a second allows goes alone
}

void BulkJobs::list_cancels(Job& j) {
  j.cancels_listed = true;
  j.cancel_list.clear();
  j.next_cancel = 0;
  const domain::Book& book = engine_.book();
  std::set<std::string> seen;
  for (const auto& it : j.items) {
    if (!seen.insert(it.ucc).second) continue;
    for (const domain::Order* o : domain::risk_adding_orders(book, it.ucc)) {
      if (o->product != j.product) continue;
      if (!j.segment.empty()) {
        const auto* ins = book.instrument(o->instrument_id);
        if (ins == nullptr || domain::to_string(ins->segment) != j.segment) continue;
      }
      if (j.cancelled_orders.count(o->order_id) != 0) continue;
      j.cancel_list.emplace_back(it.ucc, o->order_id);
    }
  }
}

void BulkJobs::pump(Job& j) {
  if (stopped_ || j.state != State::running || j.backoff) return;
  observe_sends();
  if (!j.cancels_listed) list_cancels(j);
  const domain::Book& book = engine_.book();
  // First the pending orders that could re-open what is being closed.
  while (j.next_cancel < j.cancel_list.size()) {
    if (j.backoff || j.state != State::running) return;
    const auto [ucc, id] = j.cancel_list[j.next_cancel];
    const domain::Order* o = book.order(id);
    if (o == nullptr || o->is_final() || j.cancelled_orders.count(id) != 0) {
      ++j.next_cancel;
      continue;
    }
    if (!budget(1)) return;
    ++j.next_cancel;
    ++j.in_flight;
    reserved_ += 1;
    engine_.cancel_order(
        actor_of(j), ucc, id,
        [this, job_id = j.job_id, ucc, id, alive = std::weak_ptr<int>(alive_)](OrderAnswer a) {
          if (alive.expired()) return;
          reserved_ -= 1;
          Job* job = find(job_id);
          if (job == nullptr) return;
          --job->in_flight;
          if (a.ok()) {
            if (job->cancelled_orders.insert(id).second) ++job->cancels_sent;
            job->dirty = true;
          } else if (a.error == Errc::unavailable) {
            job->cancel_list.emplace_back(ucc, id);  // offered again after a pause
            job->backoff = true;
          }
          kick();
        });
  }
  // Then each position, in order; items waiting for something first.
  if (!j.waiting.empty()) {
    auto waiting = std::move(j.waiting);
    j.waiting.clear();
    std::size_t i = 0;
    for (; i < waiting.size(); ++i) {
      if (j.backoff || j.state != State::running || !examine(j, waiting[i])) break;
    }
    j.waiting.insert(j.waiting.end(), waiting.begin() + static_cast<std::ptrdiff_t>(i),
                     waiting.end());
  }
  while (j.next_item < j.items.size()) {
    if (j.backoff || j.state != State::running) return;
    if (!examine(j, j.next_item)) return;
    ++j.next_item;
  }
}

bool BulkJobs::examine(Job& j, std::size_t index) {
  Item& it = j.items[index];
  const domain::Book& book = engine_.book();
  const domain::PositionKey key{it.ucc, it.instrument_id, j.product};
  const bool known = stored_.count(idempotency_key(j, it)) != 0;
  if (!known && book.squareoff_qty(key) <= 0) {
    const auto* p = book.position(key);
    if (p == nullptr || p->net_qty() == 0) {
      it.state = ItemState::skipped;  // closed already: nothing to send
      j.dirty = true;
    } else {
      it.state = ItemState::waiting;  // exits pending (e.g. from the main site): look again
      j.waiting.push_back(index);
    }
    return true;
  }
  const std::uint64_t predicted = known ? 0 : predicted_slices(j, it);
  if (!budget(predicted)) return false;
  it.state = ItemState::in_flight;
  ++j.in_flight;
  reserved_ += predicted;
  SquareOff what;
  what.instrument_id = it.instrument_id;
  what.product = j.product;
  what.request = domain::SquareOffRequest{std::nullopt, domain::OrderType::market, std::nullopt};
  engine_.square_off(actor_of(j), it.ucc, what, idempotency_key(j, it),
                     [this, job_id = j.job_id, index, predicted,
                      alive = std::weak_ptr<int>(alive_)](OrderAnswer a) {
                       if (alive.expired()) return;
                       on_answer(job_id, index, predicted, a);
                     });
  return true;
}

void BulkJobs::on_answer(const std::string& job_id, std::size_t index, std::uint64_t predicted,
                         const OrderAnswer& a) {
  reserved_ -= predicted;
  Job* j = find(job_id);
  if (j == nullptr) return;
  --j->in_flight;
  Item& it = j->items[index];
  j->dirty = true;
  if (a.ok()) {
    stored_[idempotency_key(*j, it)] = a.order_ids;
    if (a.order_ids.empty()) {
      it.state = ItemState::skipped;
    } else {
      it.state = ItemState::placed;
      it.order_ids = a.order_ids;
      j->open.push_back(index);
    }
  } else if (a.error == Errc::unavailable) {
    it.state = ItemState::waiting;  // nothing was sent: offered again after a pause
    j->waiting.push_back(index);
    j->backoff = true;
  } else {
    spdlog::warn("bulk job {}: {} {} refused: {} ({})", j->job_id, it.ucc, it.instrument_id,
                 to_string(a.error), a.message);
    it.state = ItemState::refused;
  }
  kick();
}

void BulkJobs::refresh(Job& j) {
  const domain::Book& book = engine_.book();
  std::vector<std::size_t> still_open;
  for (const std::size_t index : j.open) {
    Item& it = j.items[index];
    bool all_final = true, all_filled = true, never_sent = true;
    for (const auto& id : it.order_ids) {
      const domain::Order* o = book.order(id);
      if (o == nullptr) {  // not in the Book (should not happen): nothing will fill it
        all_filled = false;
        never_sent = false;
        continue;
      }
      if (!o->is_final()) {
        all_final = false;
        break;
      }
      if (o->status != domain::OrderStatus::filled) all_filled = false;
      if (o->status != domain::OrderStatus::rejected || o->filled_qty != 0 ||
          o->reason.compare(0, not_sent_prefix.size(), not_sent_prefix) != 0) {
        never_sent = false;
      }
    }
    if (!all_final) {
      still_open.push_back(index);
      continue;
    }
    j.dirty = true;
    if (never_sent && unfinished(j) && it.attempt + 1 < max_attempts) {
      // IRRA rejected them itself before they reached the exchange (a crash between the
      // commit and the send): try again under the next key.
      ++it.attempt;
      it.order_ids.clear();
      it.state = ItemState::waiting;
      j.waiting.push_back(index);
      continue;
    }
    it.outcome_filled = all_filled;
    it.finished = true;
  }
  j.open = std::move(still_open);
  if (!j.dirty) return;
  j.dirty = false;
  Counts c;
  for (const auto& it : j.items) {
    switch (it.state) {
      case ItemState::placed:
        ++c.sent;
        if (it.finished) {
          ++c.finished;
          ++(it.outcome_filled ? c.filled : c.rejected);
        }
        break;
      case ItemState::skipped:
        ++c.finished;
        break;
      case ItemState::refused:
        ++c.finished;
        ++c.rejected;
        break;
      default:
        break;
    }
  }
  j.counts = c;
  if (unfinished(j) && j.in_flight == 0 &&
      c.finished == static_cast<std::int64_t>(j.items.size())) {
    set_state(j, State::done);
  }
}

}  // namespace irra::trading
