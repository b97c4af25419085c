// The simulated exchange: the three sessions, the market, the order book, the main
// site's drop-copy flow and the truth a test compares IRRA with (reports sent, net
// positions implied by every fill, the dump's carried-forward positions included).
//
// Every report of an order goes on the drop copy; reports of IRRA's orders (and of
// main-site orders IRRA cancels) also go on order entry, with the same ExecID.
//
// TransactTime comes from the wall clock, or with --virtual-clock from the exchange's
// own clock: 09:15 IST of the dump's trading date, moved by the main-site flow before
// each of its reports (and the price walk steps on that clock rather than on a timer),
// so that a seeded day replays identically whatever the timing.
//
// Thread rule: the simulator's single thread (its io_context runs on one thread).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "acceptor_session.hpp"
#include "chunked_store.hpp"
#include "irra/sod/dump.hpp"
#include "journal.hpp"
#include "main_site_flow.hpp"
#include "market.hpp"
#include "order_book.hpp"
#include "sim_options.hpp"

namespace irra::sim {

struct exchange_counters {
  std::uint64_t orders_received = 0;  // NewOrderSingle on order entry
  std::uint64_t orders_accepted = 0;
  std::uint64_t orders_rejected = 0;   // IRRA's orders refused
  std::uint64_t cancels_received = 0;  // OrderCancelRequest
  std::uint64_t cancels_rejected = 0;  // OrderCancelReject sent
  std::uint64_t duplicate_cl_ord_ids = 0;
  std::uint64_t poss_resend_ignored = 0;  // PossResend=Y orders already known
  std::uint64_t exec_ids = 0;             // ExecIDs handed out
  std::uint64_t fills = 0;
  std::uint64_t md_requests = 0;
  std::uint64_t md_rejects = 0;
};

class exchange final : public acceptor_handler {
 public:
  exchange(const sod::Dump& dump, const sim_options& options, journal* j);

  acceptor_session& session(session_kind k) { return *sessions_[static_cast<int>(k)]; }
  // The session a Logon's TargetCompID names, or nullptr.
  acceptor_session* find_session(std::string_view target_comp_id);

  // acceptor_handler
  void on_application(acceptor_session& s, const fix::message& m, std::uint64_t seq,
                      const session_time& now) override;
  void on_logon(acceptor_session& s) override;
  void on_disconnect(acceptor_session& s, std::string_view reason) override;
  void on_duplicate_sent(acceptor_session& s, const fix::message& m, std::uint64_t seq,
                         bool poss_dup, bool poss_resend) override;

  // Called by the simulator's timer: the flow, the price walk, session timers.
  void on_tick(const session_time& now);
  void step_prices(const session_time& now);

  // The TransactTime of a report made now: the wall clock, or the virtual clock.
  fix::utc_timestamp transact_time(const session_time& now) const {
    return virtual_clock_ ? day_open_ + clock_ : now.utc;
  }
  bool virtual_clock() const { return virtual_clock_; }
  // --virtual-clock: the flow sets the clock to `since_open` (never backwards) before
  // each report; the price walk steps once per --walk-ms of virtual time passed.
  void advance_clock(std::chrono::nanoseconds since_open, const session_time& now);

  // The order lifecycle, shared by order entry and the main-site flow. Each sends one
  // report (on the drop copy, and on order entry for IRRA's orders or when `to_oe`).
  std::uint32_t accept_order(const sim_order& o, std::string_view cl_ord_id,
                             const session_time& now);
  void reject_order(const sim_order& o, std::string_view cl_ord_id, std::string_view text,
                    int reason, const session_time& now);
  void fill(std::uint32_t n, std::int64_t qty, std::int64_t price, const session_time& now);
  void cancel(std::uint32_t n, std::string_view cancel_cl_ord_id, bool to_oe,
              const session_time& now);

  // Sets an instrument's last price (control endpoint); false with a reason otherwise.
  bool set_price(std::string_view instrument_id, std::int64_t price, const session_time& now,
                 std::string& error);

  const market& prices() const { return market_; }
  const order_book& book() const { return book_; }
  const sod::Dump& dump() const { return dump_; }
  main_site_flow& flow() { return flow_; }
  const exchange_counters& counters() const { return counters_; }
  // The /control/state document.
  nlohmann::json state(bool with_positions) const;

 private:
  struct position_key_hash {
    std::size_t operator()(std::uint64_t k) const noexcept { return std::hash<std::uint64_t>{}(k); }
  };
  static std::uint64_t position_key(std::uint32_t client, std::uint32_t instrument,
                                    domain::Product p) {
    return (std::uint64_t{client} << 32) | (std::uint64_t{instrument} << 3) |
           static_cast<std::uint64_t>(p);
  }

  // order entry (order_entry.cpp)
  void on_new_order(acceptor_session& s, const fix::message& m, std::uint64_t seq,
                    const session_time& now);
  void on_cancel_request(acceptor_session& s, const fix::message& m, std::uint64_t seq,
                         const session_time& now);
  void cancel_reject(const fix::message& m, std::string_view order_id, char ord_status, int reason,
                     std::string_view text, const session_time& now);
  void fill_marketable(std::uint32_t n, const session_time& now);
  // market data (market_data.cpp)
  void on_md_request(acceptor_session& s, const fix::message& m, std::uint64_t seq,
                     const session_time& now);
  void publish_price(std::uint32_t instrument, const session_time& now);
  void flush_pending_prices(const session_time& now);
  void send_snapshot(std::uint32_t instrument, std::string_view md_req_id, const session_time& now);
  // An ExecutionReport rejecting IRRA's order, built from the order's own fields.
  void reject_new_order(const fix::message& m, std::string_view text, int reason, bool remember,
                        const session_time& now);
  // reports (exchange.cpp)
  void send_report(fix::execution_report& r, const sim_order* o, bool to_oe,
                   const session_time& now);
  void fill_report_fields(const sim_order& o, std::uint32_t n, fix::execution_report& r,
                          const std::string& cl_ord_id, const session_time& now) const;

  const sod::Dump& dump_;
  std::vector<std::string> product_names_;
  std::unordered_map<std::string, std::uint32_t> clients_by_ucc_;
  market market_;
  order_book book_;
  std::array<std::unique_ptr<chunked_store>, 3> stores_;
  std::array<std::unique_ptr<acceptor_session>, 3> sessions_;
  journal* journal_;
  std::unordered_map<std::uint64_t, std::int64_t, position_key_hash> positions_;
  std::mt19937_64 fill_rng_;
  exchange_counters counters_;
  std::uint64_t next_exec_id_ = 1;
  // Market data subscriptions: instrument -> MDReqID (one subscriber: the MD session).
  std::unordered_map<std::uint32_t, std::string> md_subscriptions_;
  // At most one snapshot per instrument per md_throttle; later changes wait in pending.
  std::unordered_map<std::uint32_t, std::chrono::steady_clock::time_point> md_last_sent_;
  std::vector<std::uint32_t> md_pending_;
  std::vector<std::uint32_t> changed_;
  std::vector<std::uint32_t> crossed_;
  // --virtual-clock: the day's opening (09:15 IST of the trading date), the time since
  // then, and the walk's period and next step on that clock (period 0: prices frozen).
  bool virtual_clock_ = false;
  fix::utc_timestamp day_open_{};
  std::chrono::nanoseconds clock_{0};
  std::chrono::nanoseconds walk_period_{0};
  std::chrono::nanoseconds next_walk_{0};
  main_site_flow flow_;
};

}  // namespace irra::sim
