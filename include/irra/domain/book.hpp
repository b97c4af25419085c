// The mirror of every client's orders, trades and positions, fed by execution reports from
// the drop copy and the order-entry session, plus the start-of-day instruments, clients and
// carried-forward positions.
//
// Thread rule: not synchronised. The Book belongs to the one strand that owns the trading
// state; every call, including the const queries, is made on that strand. Pointers and
// references returned by queries stay valid for the Book's lifetime (elements are never
// removed or moved), but the pointed-to values change as reports are applied.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "irra/domain/client.hpp"
#include "irra/domain/exec_report.hpp"
#include "irra/domain/instrument.hpp"
#include "irra/domain/order.hpp"
#include "irra/domain/position.hpp"
#include "irra/domain/trade.hpp"

namespace irra::domain {

enum class ApplyStatus {
  applied,    // the report changed the mirror: persist and push what `ApplyOutcome` names
  duplicate,  // its ExecID was already applied today: nothing changed
  refused,    // inconsistent with the mirror (see reason): nothing changed, tell operations
};

struct ApplyOutcome {
  ApplyStatus status = ApplyStatus::refused;
  std::string reason;                   // why it was refused
  Order order;                          // applied: the order after the change
  bool order_created = false;           // applied: first report seen for this order
  std::optional<Trade> trade;           // applied: the fill, when the report was a trade
  std::optional<PositionKey> position;  // applied: the position a trade moved

  bool applied() const { return status == ApplyStatus::applied; }
};

class Book {
 public:
  // trading_date "YYYY-MM-DD": ExecIDs are de-duplicated within one exchange day.
  explicit Book(std::string trading_date = {});

  // --- start of day; each returns false (and changes nothing) on a duplicate key or a
  // value out of range (see max_qty, max_price) ---
  bool add_instrument(Instrument instrument);
  bool add_client(Client client);
  bool add_carried_forward(PositionKey key, Qty net_qty, Paise avg_price);

  const std::string& trading_date() const { return trading_date_; }
  // A new exchange day: forgets the ExecIDs seen (they are unique only within a day).
  void start_trading_date(std::string trading_date);
  bool has_seen(std::string_view exec_id) const;
  // Room for about this many more execution reports in the indexes (their ExecIDs, the
  // orders they create), so that a replay of the day's journal does not rehash them again
  // and again as they grow.
  void reserve_reports(std::size_t reports);

  // --- the feed ---
  // Applies one execution report. Never throws on bad input. The rules:
  //  - an ExecID already applied today is a duplicate; nothing changes;
  //  - the order is found by OrderID, else (backup orders) by ClOrdID or OrigClOrdID; an
  //    unknown order is mirrored as a main-site order in the state the report shows;
  //  - a report that disagrees with the order (account, instrument, product, side), whose
  //    cum_qty differs from the fills applied (+ last_qty on a trade), that would overfill
  //    or move the order along an illegal transition, or that carries quantities or prices
  //    out of range, is refused and changes nothing (its ExecID is not remembered);
  //  - a trade appends a Trade (trade_id = ExecID) and moves the position.
  ApplyOutcome apply(const ExecReport& report);

  // Registers an order IRRA is about to send: source backup, status PENDING, a unique
  // non-empty cl_ord_id, qty > 0. order_id is set to cl_ord_id. Its leaves count towards
  // pending_exit_qty at once, so a second square-off cannot over-sell.
  OrderResult add_pending_order(Order order);
  // A registered order that never reached the exchange (send failed): PENDING -> REJECTED.
  OrderResult reject_pending(std::string_view order_id, std::string reason, Timestamp at);

  void set_ltp(std::string_view instrument_id, Paise ltp);
  std::optional<Paise> ltp(std::string_view instrument_id) const;

  // --- queries ---
  const Instrument* instrument(std::string_view instrument_id) const;
  const Client* client(std::string_view ucc) const;
  const Position* position(const PositionKey& key) const;
  std::vector<const Position*> positions_of(std::string_view ucc) const;
  std::vector<const Order*> orders_of(std::string_view ucc) const;  // in order of arrival
  std::vector<const Trade*> trades_of(std::string_view ucc) const;  // in order of arrival
  const Order* order(std::string_view order_id) const;
  // Backup orders only: main-site orders are identified by the exchange's OrderID.
  const Order* order_by_cl_ord_id(std::string_view cl_ord_id) const;
  const Order* order_by_exchange_id(std::string_view exchange_order_id) const;

  // Leaves of every non-final order (main or backup) on this key on the side that reduces
  // the position; 0 when the position is flat.
  Qty pending_exit_qty(const PositionKey& key) const;
  // What may still be squared off: max(0, |net_qty| - pending_exit_qty).
  Qty squareoff_qty(const PositionKey& key) const;

  // Everything, in order of arrival (for bulk jobs, reconciliation and snapshots).
  const std::deque<Position>& positions() const { return positions_; }
  const std::deque<Order>& orders() const { return orders_; }
  const std::deque<Trade>& trades() const { return trades_; }
  const std::deque<Client>& clients() const { return clients_; }
  const std::deque<Instrument>& instruments() const { return instruments_; }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using Index = std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>>;
  using Indices =
      std::unordered_map<std::string, std::vector<std::size_t>, StringHash, std::equal_to<>>;
  // A position key viewing the strings stored in positions_, to keep the index small.
  struct KeyView {
    std::string_view ucc;
    std::string_view instrument_id;
    Product product;
    friend bool operator==(const KeyView&, const KeyView&) = default;
  };
  struct KeyViewHash {
    std::size_t operator()(const KeyView& k) const noexcept;
  };
  static KeyView view_of(const PositionKey& k) { return {k.ucc, k.instrument_id, k.product}; }

  std::optional<std::size_t> find_order_for(const ExecReport& r, std::string& why) const;
  std::optional<std::size_t> find(const Index& index, std::string_view key) const;
  Position& position_for_update(const PositionKey& key);
  Position& insert_position(Position p);
  void index_order(std::size_t i);

  std::string trading_date_;
  std::unordered_set<std::string, StringHash, std::equal_to<>> seen_exec_ids_;

  std::deque<Instrument> instruments_;
  Index instrument_index_;
  std::unordered_map<std::string, Paise, StringHash, std::equal_to<>> ltp_;
  std::deque<Client> clients_;
  Index client_index_;

  std::deque<Position> positions_;
  std::unordered_map<KeyView, std::size_t, KeyViewHash> position_index_;
  Indices positions_by_ucc_;

  std::deque<Order> orders_;
  Index order_index_;     // order_id -> orders_
  Index exchange_index_;  // exchange_order_id of backup orders -> orders_
  Index cl_ord_index_;    // cl_ord_id of backup orders -> orders_
  Indices orders_by_ucc_;

  std::deque<Trade> trades_;
  Indices trades_by_ucc_;
};

}  // namespace irra::domain
