// The record of a completed `irra reverse-migrate` run in IRRA's own database: a row of
// reverse_migrations (migration 3) and an audit record ("reverse_migration.run"), in one
// transaction that is retried when the running server appends to the audit chain at the
// same moment (store::AuditChain::append_committed).
//
// Thread rule: the caller's session on the caller's thread.
#pragma once

#include <cstdint>
#include <string>

#include "irra/store/audit.hpp"

namespace soci {
class session;
}

namespace irra::reverse {

struct RunRecord {
  std::string started_at;   // ISO-8601 UTC
  std::string finished_at;  // ISO-8601 UTC
  std::string trading_date;
  std::string target;  // redacted URL and/or file:// URL of the folder
  std::int64_t orders = 0;
  std::int64_t trades = 0;
  std::int64_t orders_written = 0;
  std::int64_t trades_written = 0;
  std::string summary;  // JSON text
};

// Inserts the row and appends the audit record; returns the audit record.
store::AuditRecord record_run(soci::session& irra_db, const RunRecord& run);

}  // namespace irra::reverse
