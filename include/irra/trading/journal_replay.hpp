// Rebuilding the orders and trades of one trading date from the engine's journal (table
// journal, migration 2), for readers outside the running engine such as
// `irra reverse-migrate`: the same rows applied to a domain::Book in the same way as the
// first part of Engine::load (reports through Book::apply, IRRA's orders through
// add_pending_order, failed sends through reject_pending). Unlike Engine::load it changes
// nothing: an order journaled but not yet on the wire stays PENDING (the running server may
// still send it).
//
// Thread rule: uses the caller's session and Book on the caller's thread.
#pragma once

#include <functional>
#include <string>

#include "irra/domain/book.hpp"
#include "irra/domain/timestamp.hpp"
#include "irra/trading/engine.hpp"

namespace soci {
class session;
}

namespace irra::trading {

// One of IRRA's own journal rows, as the replay met it.
struct OwnJournalRow {
  enum class Kind { order_new, order_fail, cancel_req };
  Kind kind = Kind::order_new;
  std::string cl_ord_id;  // the order's ClOrdID; for cancel_req the cancel's own
  std::string order_id;   // the Book's order_id of the order concerned
  std::string origin;     // order_new, cancel_req: "investor" | "staff" | "bulk"
  std::string actor;      // who: the investor's UCC, the staff user, the bulk job
  std::string reason;     // staff's reason (and evidence) for the action
  std::string idempotency_key;
  domain::Timestamp at = 0;  // when IRRA placed the order, failed it or asked the cancel
  bool registered = false;   // order_new: the Book took the order
};

// Applies the journal of book.trading_date() to `book`, in journal order. `own` (optional)
// is called after each of IRRA's own rows. Counts as Engine::load (unsent_orders_failed
// stays 0). Throws std::runtime_error on an unreadable row, soci::soci_error on a
// database error.
ReplayCounts replay_journal(soci::session& sql, domain::Book& book,
                            const std::function<void(const OwnJournalRow&)>& own = {});

}  // namespace irra::trading
