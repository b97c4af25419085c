// The broker's bulk square-off (admin terminal, `irra ctl bulk-square-off`): one durable,
// paced, resumable, cancellable job that closes every client's open positions of a product
// (optionally of one segment) through the Engine, as Origin::bulk.
//
//  - create: snapshots the positions to close (ucc, instrument order), writes the job row
//    and all its items in ONE writer job; only after the commit is the job answered and run.
//  - running: first cancels the clients' risk-adding pending orders of that product (and
//    segment), then squares off each item in order with Idempotency-Key
//    "bulk:JOB:ITEM" — after a restart the same key replays the stored answer and sends
//    nothing, so re-running the job from item 0 never sends a slice twice. An item whose
//    orders IRRA rejected itself before they reached the exchange (a crash between commit
//    and send) is tried again under "bulk:JOB:ITEM:rN".
//  - pacing: the orders and cancels the engine sends (everyone's, observed through
//    Engine::stats) plus what is queued or being placed stay within rate_limit per sliding
//    second, and the engine's send queue is kept short (<= rate_limit/4), so investors'
//    own square-offs are never stuck behind the job.
//  - pauses while the service mode is not "active", carries on when it is again; cancel
//    stops placing (orders already sent stay). States are persisted in bulk_jobs.
//
// Thread rule: every member function runs on the engine's strand (the executor given to the
// constructor), except load(), which runs before the reactor starts. Writer completions are
// posted to that strand; a liveness token guards those arriving after destruction.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "irra/domain/enums.hpp"
#include "irra/domain/timestamp.hpp"
#include "irra/store/writer.hpp"
#include "irra/trading/engine.hpp"

namespace soci {
class session;
}

namespace irra::trading {

struct BulkJobSpec {
  domain::Product product = domain::Product::mis;
  std::optional<std::string> segment;  // "EQ", "FO", ... (the instrument's segment)
  std::string reason, evidence_ref;
  std::string created_by;  // "staff:NAME" or "host:..."
};

struct BulkJobsOptions {
  std::uint32_t rate_limit = 100;  // exchange.order_rate_limit (orders and cancels per second)
  std::chrono::milliseconds tick{100};
  // Wall clock for created_at/updated_at (tests inject one); default: the system clock.
  std::function<domain::Timestamp()> clock;
};

class BulkJobs {
 public:
  BulkJobs(boost::asio::any_io_executor strand, Engine& engine, store::Writer& writer,
           BulkJobsOptions options = {});
  ~BulkJobs();
  BulkJobs(const BulkJobs&) = delete;
  BulkJobs& operator=(const BulkJobs&) = delete;

  // Before the reactor runs, after Engine::load on the same session: reads today's jobs
  // (bulk_jobs.trading_date == engine.trading_date()), their items, the answers stored
  // under their Idempotency-Keys and the cancels they sent. Throws on an unreadable database.
  void load(soci::session& sql);
  // On the strand: resumes the loaded unfinished jobs (if the mode is active; else they
  // wait, paused) and starts the progress tick.
  void start();
  // Places nothing more and stops the tick (orders already handed to the engine stay).
  void stop();

  // done(error, job): "" (ok; a job with total 0 finishes at once), "standby"/"recovery"
  // (mode not active), "job_running" (an unfinished job exists or one is being created),
  // "invalid_segment", "unavailable" (the writer refused or failed).
  void create(const BulkJobSpec& spec,
              std::function<void(std::string error, nlohmann::json job)> done);
  std::optional<nlohmann::json> job(std::string_view job_id) const;
  nlohmann::json jobs() const;  // array, newest first (today's)
  // done(error, job): "" (the job is now cancelled), "not_found", "already_finished".
  void cancel(std::string_view job_id, std::string actor,
              std::function<void(std::string error, nlohmann::json job)> done);
  // "active" resumes paused jobs; anything else pauses running ones.
  void on_mode(const std::string& mode);
  // Called with the JOB object on every state change and, throttled to at most ~4/s per
  // job, when its counts move.
  void on_progress(std::function<void(const nlohmann::json& job)> listener);

  // True while a job is running or paused.
  bool busy() const;

 private:
  enum class State { running, paused, cancelled, done };
  enum class ItemState {
    fresh,      // not examined yet in this run
    in_flight,  // handed to the engine, not answered
    waiting,    // nothing to place right now (pending exits, writer unavailable): look again
    placed,     // orders placed (or replayed)
    skipped,    // nothing left to square off: finished without an order
    refused,    // the risk gate refused it: finished, counted as rejected
  };
  struct Item {
    std::int64_t no = 0;
    std::string ucc;
    std::string instrument_id;
    ItemState state = ItemState::fresh;
    int attempt = 0;                     // Idempotency-Key suffix ":rN" when > 0
    std::vector<std::string> order_ids;  // of the current attempt
    bool finished = false;               // placed, and every order final
    bool outcome_filled = false;         // finished: every order filled
  };
  struct Counts {
    std::int64_t sent = 0, filled = 0, rejected = 0, finished = 0;
    friend bool operator==(const Counts&, const Counts&) = default;
  };
  struct Job {
    std::string job_id;
    domain::Product product = domain::Product::mis;
    std::string segment;  // "" for every segment
    std::string reason, evidence_ref, created_by, created_at, updated_at;
    State state = State::running;
    std::vector<Item> items;
    // This run's progress.
    bool cancels_listed = false;
    std::vector<std::pair<std::string, std::string>> cancel_list;  // (ucc, order_id)
    std::size_t next_cancel = 0;
    std::size_t next_item = 0;
    std::vector<std::size_t> waiting;        // items to look at again
    std::vector<std::size_t> open;           // placed items whose orders are not all final
    std::set<std::string> cancelled_orders;  // cancel requests this job sent (all runs)
    std::int64_t cancels_sent = 0;
    std::size_t in_flight = 0;  // engine calls not yet answered
    Counts counts;
    Counts published;
    std::chrono::steady_clock::time_point published_at{};
    bool persist_pending = false;
    bool backoff = false;  // the engine was unavailable: nothing more until the next tick
    bool dirty = true;     // the counts need recomputing
  };
  struct WindowEntry {
    std::chrono::steady_clock::time_point at;
    std::uint64_t sends;
  };

  Job* find(std::string_view job_id);
  const Job* find(std::string_view job_id) const;
  bool unfinished(const Job& j) const {
    return j.state == State::running || j.state == State::paused;
  }
  nlohmann::json job_json(const Job& j) const;
  std::string now_iso() const;
  Actor actor_of(const Job& j) const;
  static std::string idempotency_key(const Job& j, const Item& it);
  static std::string_view state_name(State s);

  void set_state(Job& j, State s);
  void persist(Job& j);
  void publish(Job& j, bool force);
  void arm();
  void kick();  // a pump of every running job, posted (never re-entered from a completion)
  void on_tick();
  void pump(Job& j);
  // Places the item, or notes that there is nothing to place; false when the pace forbids.
  bool examine(Job& j, std::size_t index);
  void on_answer(const std::string& job_id, std::size_t index, std::uint64_t predicted,
                 const OrderAnswer& answer);
  void refresh(Job& j);  // the counts of placed items from the Book; done when all finished
  void list_cancels(Job& j);
  std::uint64_t predicted_slices(const Job& j, const Item& it) const;
  // Sends observed in the last second + reserved + queued; true when `n` more fit.
  bool budget(std::uint64_t n);
  void observe_sends();

  boost::asio::any_io_executor strand_;
  Engine& engine_;
  store::Writer& writer_;
  BulkJobsOptions options_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);

  std::deque<Job> jobs_;  // oldest first (stable addresses)
  std::int64_t job_seq_ = 0;
  // Answers stored under the jobs' Idempotency-Keys: key -> order ids (loaded and seen).
  std::map<std::string, std::vector<std::string>> stored_;
  bool creating_ = false;
  bool kick_posted_ = false;
  bool started_ = false;
  bool stopped_ = false;
  bool active_ = false;  // the mode, as last told (or engine.mode() at start)
  std::vector<std::function<void(const nlohmann::json&)>> listeners_;

  boost::asio::steady_timer timer_;
  bool timer_armed_ = false;

  // Pacing: every send the engine made (observed via stats), over the last second.
  std::deque<WindowEntry> window_;
  std::uint64_t window_sum_ = 0;
  std::uint64_t last_sent_total_ = 0;
  bool observed_once_ = false;
  std::uint64_t reserved_ = 0;  // slices predicted for engine calls not yet answered
  std::uint64_t send_queue_ = 0;
};

}  // namespace irra::trading
