// The audit trail: append-only and tamper-evident. Each record's hash is SHA-256 over the
// previous record's hash and a canonical encoding of every field (see audit_hash), seq
// runs 1, 2, 3... and the first record's prev_hash is 64 zeros, so editing, deleting or
// reordering a record breaks the chain at that point. (Removing the newest records
// leaves a valid shorter chain: keep the head seq/hash elsewhere to detect that.)
//
// Several processes may append to one chain: the server (through its writer) and tools
// such as `irra sod-import` or `irra reverse-migrate` running beside it. Every append reads
// the chain head (last seq and hash) inside its own transaction; seq is the primary key, so
// when two appends race for the same seq one insert fails, its transaction is rolled back
// and run again on the new head: the chain never forks, nor skips a number.
//
// Thread rule: AuditChain::append() may be called from any thread; records are written
// by writer jobs on the writer thread. The static functions and the free functions in
// irra::store::audit use the caller's session on the caller's thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "irra/store/writer.hpp"

namespace soci {
class session;
}

namespace irra::store {

inline constexpr std::string_view audit_genesis_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// What happened; the caller fills it, the chain numbers and hashes it.
struct AuditEvent {
  std::string ts;     // ISO-8601 UTC with microseconds; append() fills "" with the time now
  std::string type;   // e.g. "investor.login", "staff.square_off", "mode.change" (<= 64)
  std::string actor;  // e.g. "investor:UCC", "staff:NAME", "system" (<= 128)
  std::optional<std::string> ucc;         // the client concerned (<= 32)
  std::optional<std::string> ip;          // (<= 64)
  std::optional<std::string> user_agent;  // (<= 512)
  std::optional<std::string> detail;      // JSON text

  bool operator==(const AuditEvent&) const = default;
};

struct AuditRecord {
  std::int64_t seq = 0;
  AuditEvent event;
  std::string prev_hash;
  std::string hash;
  // Set by audit::query and audit::export_csv: this record's hash matches its contents
  // and its prev_hash is its predecessor's hash.
  bool chain_ok = false;
};

// Lower-case hex SHA-256 (OpenSSL EVP) of
//   "irra-audit-v1" F(prev_hash) F(seq) F(ts) F(type) F(actor) O(ucc) O(ip) O(user_agent)
//   O(detail)
// where F(x) = decimal byte length, ':', the bytes; O(x) = F(x) when present, else "-".
// Length prefixes make the encoding unambiguous; "-" tells a missing field from "".
std::string audit_hash(std::int64_t seq, const AuditEvent& event, std::string_view prev_hash);

// The writer-side appender. One per writer; may be destroyed before the writer.
class AuditChain {
 public:
  explicit AuditChain(Writer& writer);

  // Queues the record; `done` as in Writer::submit. False when the writer refuses (full or
  // stopping): the caller decides whether the action may proceed unaudited (it should not).
  // An event identical in every field, timestamp included, to one already stored is stored
  // once (this is what makes a retried job idempotent).
  bool append(AuditEvent event, WriteCompletion done = {});
  bool append(AuditEvent event, const boost::asio::any_io_executor& executor, WriteCompletion done);

  // Appends in the caller's own session and open transaction. Beside a running server the
  // insert may fail with soci::soci_error because another process took the seq meanwhile
  // (or, on SQLite, wrote after this transaction's first read): the caller must roll back
  // and retry the whole transaction, which append_committed() does.
  static AuditRecord append_in(soci::session& sql, AuditEvent event);

  // For tools beside a running server: in ONE transaction of its own, runs `with` (the
  // tool's own writes, may be empty) and appends `event`, then commits. A conflicting
  // append by another process rolls the transaction back and runs it again (up to
  // `attempts` times, short backoff), so `with` must be safe to run again. On SQLite the
  // transaction starts with BEGIN IMMEDIATE: the head is read under the write lock, and
  // the busy timeout waits for the server's writer instead of failing. Throws the last
  // error when every attempt failed; the session must not be in a transaction already.
  static AuditRecord append_committed(soci::session& sql, AuditEvent event,
                                      const std::function<void(soci::session&)>& with = {},
                                      int attempts = 8);

  // The current time in the audit format, e.g. "2024-12-02T09:15:00.123456Z".
  static std::string now_ts();

 private:
  Writer& writer_;
};

// Bounded query filters; empty optionals match everything. [from, to) compares ts as text,
// so a prefix such as "2024-12-02" works.
struct AuditFilter {
  std::optional<std::string> ucc;
  std::optional<std::string> actor;
  std::optional<std::string> type;
  std::string from;  // inclusive; "" = no lower bound
  std::string to;    // exclusive; "" = no upper bound
};

struct AuditPage {
  std::vector<AuditRecord> records;  // newest first, chain_ok set
  bool more = false;                 // records beyond this page exist
};

struct AuditVerifyResult {
  bool ok = true;
  std::int64_t records = 0;        // records checked (up to and including the first bad one)
  std::int64_t first_bad_seq = 0;  // 0 when ok; for a missing record, its seq
  std::string reason;              // "" when ok
};

namespace audit {

inline constexpr std::int64_t max_page = 1000;

// Walks the whole chain from seq 1 in pages, stopping at the first fault.
AuditVerifyResult verify(soci::session& sql);

// Newest first; limit is clamped to [1, max_page], offset to >= 0.
AuditPage query(soci::session& sql, const AuditFilter& filter, std::int64_t limit,
                std::int64_t offset);

// RFC 4180 CSV, oldest first, header
//   seq,ts,type,actor,ucc,ip,user_agent,detail,prev_hash,hash,chain_ok
// for records with from <= ts < to ("" = unbounded). A cell starting with = + - @ or a
// tab gets a leading ' so a spreadsheet shows it as text (CSV injection). Returns the
// number of records written.
std::int64_t export_csv(soci::session& sql, std::string_view from, std::string_view to,
                        std::ostream& out);
// The CSV's header line and one record's line (for exports of a filtered query).
extern const char* const csv_header;
void csv_row(std::ostream& out, const AuditRecord& r);

}  // namespace audit
}  // namespace irra::store
