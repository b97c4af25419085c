// The trading engine: the single owner of the trading state (domain::Book), making every
// change durable through the database writer, exactly once, before anyone is told.
//
//  - Start-up (load): replays the journal of the current trading date over the start-of-day
//    Book, which rebuilds exactly the state before a crash; loads the FIX sessions' sequence
//    numbers and sent messages, the Idempotency-Keys and the ClOrdID counter.
//  - Ingest: each ExecutionReport is applied at once; its journal row and the session's
//    next sequence number join the current batch. Everything handled in one reactor turn
//    (or max_batch_rows) becomes ONE writer job; updates are published to subscribers only
//    after that job commits.
//  - Order entry: risk plan -> pending orders in the Book (so a concurrent request sees
//    them) -> journal rows (+ Idempotency-Key answer) committed -> only then handed to the
//    OrderSender, paced by a sliding one-second window (exchange.order_rate_limit) -> the caller's answer.
//
// Thread rule: every member function runs on the engine's strand (the executor given to the
// constructor), except load(), which runs before the reactor starts. The writer's
// completions are posted back to that strand. Not copyable; outlives every handler that
// names it (a liveness token guards completions arriving after destruction).
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
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "irra/domain/book.hpp"
#include "irra/domain/risk.hpp"
#include "irra/fix/messages.hpp"
#include "irra/store/writer.hpp"
#include "irra/trading/order_entry.hpp"
#include "irra/trading/order_sender.hpp"
#include "irra/trading/session_store.hpp"

namespace soci {
class session;
}

namespace irra::trading {

namespace detail {
struct Batch;
struct JournalRow;
}  // namespace detail

struct EngineOptions {
  std::size_t max_batch_rows = 4096;     // a batch is submitted at once when it reaches this
  std::uint32_t order_rate_limit = 100;  // orders (and cancels) sent per second; 0: no limit
  domain::RiskSettings risk;
  // Wall clock for order times (tests inject one); default: the system clock.
  std::function<domain::Timestamp()> clock;
  // How soon a batch the writer refused is offered again, and a send queue waiting for the
  // order-entry session is tried again.
  std::chrono::milliseconds retry_delay{50};
  // Order entry refuses (unavailable, nothing sent) while the writer's backlog is at or
  // above this share of its capacity, so that the queue stays bounded with room left for
  // the drop copy's journal, which is never refused. 0 or 100: only a full queue refuses.
  unsigned writer_high_water_percent = 80;
};

// A change made durable, for subscribers (web push, events): the REST object after it.
struct Update {
  enum class Kind { order, trade, position };
  Kind kind = Kind::order;
  std::string ucc;
  nlohmann::json object;
};
using UpdateListener = std::function<void(const std::vector<Update>&)>;

struct ReplayCounts {
  std::int64_t rows = 0;
  std::int64_t execs = 0;
  std::int64_t orders = 0;
  std::int64_t unsent_orders_failed = 0;  // journaled but never on the wire: rejected now
  std::int64_t refused = 0;               // rows the Book refused on replay (corruption)
};

struct EngineStats {
  std::uint64_t reports_applied = 0;
  std::uint64_t reports_duplicate = 0;
  std::uint64_t reports_refused = 0;
  std::uint64_t batches_committed = 0;
  std::uint64_t rows_committed = 0;
  std::uint64_t last_batch_rows = 0;
  std::uint64_t max_batch_rows = 0;
  std::uint64_t batches_refused = 0;  // the writer refused a batch (it is offered again)
  std::uint64_t batches_waiting = 0;  // submitted or refused, not yet committed
  std::uint64_t orders_placed = 0;
  std::uint64_t orders_sent = 0;
  std::uint64_t cancels_sent = 0;
  std::uint64_t send_queue = 0;
  std::map<std::string, std::uint64_t> last_seq;  // per FIX session: last MsgSeqNum handled
};

enum class ListKind { positions, orders, trades };

struct ListPage {
  std::vector<nlohmann::json> items;
  std::size_t next_cursor = 0;
  bool done = true;
};

class Engine {
 public:
  Engine(boost::asio::any_io_executor strand, domain::Book& book, store::Writer& writer,
         EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Start-up, before the reactor runs, on the session the writer will take over, after the
  // start-of-day load. Throws std::runtime_error on an unreadable database.
  ReplayCounts load(soci::session& sql);

  const std::string& trading_date() const { return book_.trading_date(); }
  const domain::Book& book() const { return book_; }

  // ---- FIX sessions ----
  // The durable state of a session by name ("DC", "OE", "MD"), created on first use.
  SessionStore& session(std::string_view name);
  // An ExecutionReport with MsgSeqNum `seq` from `session`: applied to the Book (once per
  // ExecID, whichever session brings it), journaled, the session's next_in_seq = seq + 1.
  domain::ApplyStatus on_execution_report(std::string_view session, std::uint64_t seq,
                                          const fix::execution_report& report);
  // The same for a report already in domain terms.
  domain::ApplyStatus on_exec_report(std::string_view session, std::uint64_t seq,
                                     const domain::ExecReport& report);
  // The session's sequence numbers after a message that changes nothing else (admin,
  // duplicate, OrderCancelReject, market data); 0 leaves a number as it is.
  void on_session_seq(std::string_view session, std::uint64_t next_in_seq,
                      std::uint64_t next_out_seq = 0);
  // The session's state for `irra ctl status` ("active", "disconnected", ...).
  void set_session_status(std::string_view session, std::string status);

  // ---- order entry (answers arrive on the strand) ----
  void set_order_sender(OrderSender* sender);
  // The order-entry session logged on: send what is queued.
  void on_order_session_ready();
  void square_off(const Actor& actor, const std::string& ucc, const SquareOff& what,
                  const std::string& idempotency_key, OrderCompletion done);
  void square_off_all(const Actor& actor, const std::string& ucc,
                      const std::string& idempotency_key, OrderCompletion done);
  void cancel_order(const Actor& actor, const std::string& ucc, const std::string& order_id,
                    OrderCompletion done);

  // ---- reading (REST objects; see json_views.hpp) ----
  // One client's positions, flat ones included (they carry the day's realized P&L).
  std::vector<nlohmann::json> positions(std::string_view ucc) const;
  std::vector<nlohmann::json> orders(std::string_view ucc) const;
  std::vector<nlohmann::json> trades(std::string_view ucc) const;
  // For `irra ctl`: up to `limit` objects from `cursor` on, each with "ucc" (positions with
  // net_qty 0 omitted); an empty ucc lists everyone. Pages keep the reactor responsive.
  ListPage list(ListKind kind, std::string_view ucc, std::size_t cursor, std::size_t limit) const;
  // {"mode", "since", "trading_date", "exchange": {session: {...}}, "counts": {...}}.
  nlohmann::json status() const;
  // The service mode shown by status(); the failover module owns it.
  void set_mode(std::string mode);
  // The same with the time the mode began (the durable transition's time, also after a
  // restart), which status() and /api/v1/status show as "since".
  void set_mode(std::string mode, domain::Timestamp since);
  const std::string& mode() const { return mode_; }
  // Each FIX session's state by name ("DC" -> "active"); cheap, unlike status().
  const std::map<std::string, std::string, std::less<>>& session_states() const {
    return session_status_;
  }
  domain::Timestamp mode_since() const { return since_; }

  void subscribe(UpdateListener listener);
  // Order and trade events (contract section 6) for IRRA's own orders (source "backup") and
  // their trades: the REST object plus "ucc", "type" ("order"/"trade") and "event_id", on
  // irra.orders / irra.trades, written to the outbox by the same writer job as the journal
  // rows that describe them. `committed` (may be empty) runs on the strand after a job with
  // events commits: it wakes the outbox relay. Off until called; the main site's mirrored
  // orders never produce events (the drop copy's ingest rate stays untouched).
  void enable_events(std::function<void()> committed);
  // Which clients' updates are wanted (e.g. those with a live web stream); building the REST
  // objects costs more than applying a report, so others are skipped. Unset: every client.
  void set_update_filter(std::function<bool(std::string_view ucc)> wanted);
  EngineStats stats() const;

  // Submits the current batch now (normally done at the end of the reactor turn).
  void flush();
  // Shutdown: flushes, stops the timers and refuses new order entry (unavailable).
  void stop();

 private:
  friend class SessionStore;
  struct SendItem {
    bool cancel = false;
    std::string order_id;
    std::string cancel_cl_ord_id;
  };
  struct IdemKey {
    std::string scope;
    std::string key;
    // What was asked (not part of the key): the same key with another request is refused.
    std::string request;
    friend bool operator<(const IdemKey& a, const IdemKey& b) {
      return a.scope != b.scope ? a.scope < b.scope : a.key < b.key;
    }
  };

  detail::Batch& batch();
  void schedule_flush();
  void submit(std::shared_ptr<detail::Batch> b);
  void resubmit_stalled();
  void on_committed(const std::shared_ptr<detail::Batch>& b, const store::WriteResult& r);
  void add_row(detail::JournalRow row);
  void note_seq(std::string_view session, std::uint64_t next_in, std::uint64_t next_out);
  void save_outbound(SessionStore& s, std::uint64_t seq, std::string_view raw);
  void reset_session(SessionStore& s);

  domain::Timestamp now() const;
  std::string next_cl_ord_id();
  std::shared_ptr<detail::Batch> new_batch() const;
  bool accepting_orders(OrderAnswer& refusal) const;
  static std::string idem_scope(const Actor& actor, const std::string& ucc);
  // True when answered (a stored answer) or parked (the same key is in flight).
  bool answer_from_idempotency(const IdemKey& key, OrderCompletion& done);
  struct IdemAnswer;
  static std::string stored_idempotency(const IdemKey& key, const nlohmann::json& body);
  static IdemAnswer parse_stored_idempotency(const std::string& text);
  // Answers `done` and everyone waiting on the same Idempotency-Key.
  void finish(const std::optional<IdemKey>& idem, OrderAnswer answer, OrderCompletion& done);
  // Adds pending orders for a plan's slices; their journal rows go into `into`.
  std::vector<std::string> place_slices(const Actor& actor, const domain::PositionKey& key,
                                        const domain::SquareOffPlan& plan,
                                        const std::string& idempotency_key, detail::Batch& into);
  void add_cancel(const Actor& actor, const domain::Order& order, detail::Batch& into,
                  std::vector<SendItem>& sends);
  // Commits `b`; then queues `sends` and answers, or rolls the orders back and refuses.
  void commit_order_entry(std::shared_ptr<detail::Batch> b, std::vector<std::string> placed,
                          std::vector<SendItem> sends, std::optional<IdemKey> idem,
                          OrderAnswer answer, OrderCompletion done);
  void roll_back(const std::vector<std::string>& placed);
  void pump_sends();
  bool take_token(std::chrono::steady_clock::duration& wait);

  void publish(std::vector<Update>& updates);
  void capture_updates(const domain::ApplyOutcome& outcome);
  void capture_events(const domain::ApplyOutcome& outcome);  // engine_events.cpp
  void add_order_event(detail::Batch& into, const domain::Order& order);
  void add_trade_event(detail::Batch& into, const domain::Trade& trade);

  boost::asio::any_io_executor strand_;
  domain::Book& book_;
  store::Writer& writer_;
  EngineOptions options_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);

  std::shared_ptr<detail::Batch> batch_;
  bool flush_posted_ = false;
  std::deque<std::shared_ptr<detail::Batch>> stalled_;  // refused by the writer, in order
  std::size_t in_flight_ = 0;                           // batches submitted, not completed
  boost::asio::steady_timer retry_timer_;
  bool retry_armed_ = false;
  bool stopped_ = false;

  std::map<std::string, std::unique_ptr<SessionStore>, std::less<>> sessions_;
  std::map<std::string, std::string, std::less<>> session_status_;

  OrderSender* sender_ = nullptr;
  std::deque<SendItem> send_queue_;
  boost::asio::steady_timer send_timer_;
  bool send_timer_armed_ = false;
  std::deque<std::chrono::steady_clock::time_point> sent_times_;  // the last second's sends
  std::uint64_t cl_ord_counter_ = 0;
  std::string cl_ord_prefix_;  // "IR" + yyyymmdd + "-"

  struct IdemAnswer {
    std::string request;   // "" for keys stored before requests were recorded
    std::string response;  // the REST body as text
  };
  struct IdemWaiting {
    std::string request;
    std::vector<OrderCompletion> waiting;
  };
  std::map<IdemKey, IdemAnswer> idem_answers_;    // committed
  std::map<IdemKey, IdemWaiting> idem_waiting_;  // in flight

  std::vector<UpdateListener> listeners_;
  bool events_ = false;
  std::function<void()> events_committed_;
  std::function<bool(std::string_view)> update_filter_;
  std::string mode_ = "standby";
  domain::Timestamp since_ = 0;
  EngineStats stats_;
};

}  // namespace irra::trading
