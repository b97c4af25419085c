// The engine's append-only journal (table journal, migration 2) and the batch of writes the
// engine hands the database writer in one job. Internal to src/trading.
//
// Thread rule: a Batch is filled on the engine's strand, then handed whole to the writer
// thread (write_batch) and not touched by the strand again until its completion arrives.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "irra/domain/exec_report.hpp"
#include "irra/notify/outbox.hpp"
#include "irra/store/database.hpp"
#include "irra/trading/engine.hpp"

namespace soci {
class session;
}

namespace irra::trading::detail {

enum class JournalKind { exec, order_new, order_fail, cancel_req };
std::string_view to_string(JournalKind k);

// One journal row. `report` carries the ExecutionReport fields; IRRA's own rows reuse them:
//  order_new  — order_id = cl_ord_id, ucc, instrument, product, side, order_qty, ord_type,
//               price, transact_time = placed_at;
//  order_fail — cl_ord_id, text = reason, transact_time = when;
//  cancel_req — cl_ord_id = the cancel's ClOrdID, orig_cl_ord_id and order_id of the order.
struct JournalRow {
  JournalKind kind = JournalKind::exec;
  std::string session;  // the FIX session of an exec row ("" for IRRA's own rows)
  std::uint64_t in_seq = 0;
  domain::ExecReport report;
  std::string origin;  // order_new: "investor" | "staff" | "bulk"
  std::string actor;
  std::string idempotency_key;
  std::string reason;
  domain::Timestamp received_at = 0;

  // The natural key: ExecID for exec rows, the ClOrdID for IRRA's rows.
  const std::string& entry_key() const {
    return kind == JournalKind::exec ? report.exec_id : report.cl_ord_id;
  }
};

struct SessionSeqs {
  std::uint64_t next_in = 1;
  std::uint64_t next_out = 1;
  std::uint64_t max_saved_out = 0;  // highest outbound message seq in this batch
  std::uint64_t epoch = 0;          // the SessionStore's epoch when the batch was filled
};

struct OutboundRow {
  std::string session;
  std::uint64_t seq = 0;
  std::string raw;
};

struct IdempotencyRow {
  std::string scope;
  std::string key;
  std::string response;
  std::string created_at;
};

// Everything one writer job makes durable, and what to do once it has.
struct Batch {
  std::string trading_date;
  std::vector<JournalRow> rows;
  std::vector<std::string> reset_sessions;  // DELETE their fix_outbound rows first
  std::map<std::string, SessionSeqs, std::less<>> sessions;
  std::vector<OutboundRow> outbound;
  std::vector<IdempotencyRow> idempotency;
  std::vector<Update> updates;                               // published after the commit
  // Outbox rows for IRRA's own orders and their trades (Engine::enable_events), inserted by
  // the same job as the journal rows that describe them.
  std::vector<notify::OutboxEvent> events;
  std::vector<std::function<void(bool committed)>> on_done;  // run after the commit (or not)

  bool empty() const {
    return rows.empty() && reset_sessions.empty() && sessions.empty() && outbound.empty() &&
           idempotency.empty() && events.empty() && on_done.empty();
  }
};

// The writer job: idempotent (insert-or-ignore, upserts), so it may run twice.
void write_batch(soci::session& sql, const Batch& batch);

// Reads the journal of `trading_date` in id order, calling `row` for each.
void read_journal(soci::session& sql, const std::string& trading_date,
                  const std::function<void(JournalRow&&)>& row);

}  // namespace irra::trading::detail
