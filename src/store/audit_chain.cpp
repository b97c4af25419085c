#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>

#include "audit_rows.hpp"
#include "irra/domain/utf8.hpp"
#include "irra/store/audit.hpp"
#include "irra/store/database.hpp"
#include "iso_time.hpp"

namespace irra::store {

namespace {

// Valid UTF-8 (bad bytes become U+FFFD) of at most `max_chars` characters. MySQL's strict
// mode refuses invalid UTF-8 or an over-long value, and a refused row would stop the
// writer; user agents and the like come from outside, so clean them here.
std::string clean_text(std::string_view s, std::size_t max_chars) {
  std::string out;
  out.reserve(std::min(s.size(), max_chars * 4));
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size() && chars < max_chars; ++chars) {
    const std::size_t n = domain::utf8_sequence_length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

void clean(std::optional<std::string>& v, std::size_t max_chars) {
  if (v) *v = clean_text(*v, max_chars);
}

// MySQL's TEXT holds 65,535 bytes; a bigger detail is replaced by a note saying so.
constexpr std::size_t max_detail_bytes = 60000;

AuditEvent cleaned(AuditEvent e) {
  if (e.ts.empty()) e.ts = AuditChain::now_ts();  // fixed here, so a retry hashes the same
  e.ts = clean_text(e.ts, 40);
  e.type = clean_text(e.type, 64);
  e.actor = clean_text(e.actor, 128);
  if (e.type.empty() || e.actor.empty()) {
    throw std::invalid_argument("an audit event needs a type and an actor");
  }
  clean(e.ucc, 32);
  clean(e.ip, 64);
  clean(e.user_agent, 512);
  clean(e.detail, max_detail_bytes);
  if (e.detail && e.detail->size() > max_detail_bytes) {
    e.detail = "{\"truncated\":true,\"bytes\":" + std::to_string(e.detail->size()) + "}";
  }
  return e;
}

// Appends after `head` and advances it. nullopt when the event is stored already.
std::optional<AuditRecord> append_after(soci::session& sql, detail::ChainHead& head,
                                        const AuditEvent& event) {
  if (detail::already_stored(sql, event)) return std::nullopt;
  AuditRecord r;
  r.seq = head.seq + 1;
  r.event = event;
  r.prev_hash = head.hash;
  r.hash = audit_hash(r.seq, event, head.hash);
  r.chain_ok = true;
  detail::insert_audit(sql, r);
  head.seq = r.seq;
  head.hash = r.hash;
  return r;
}

}  // namespace

AuditChain::AuditChain(Writer& writer) : writer_(writer) {}

std::string AuditChain::now_ts() {
  return iso_utc_micros(std::chrono::system_clock::now());
}

bool AuditChain::append(AuditEvent event, WriteCompletion done) {
  return writer_.submit(
      [event = cleaned(std::move(event))](soci::session& sql) {
        // The head is read in every job rather than cached on the writer thread: a tool
        // beside the server (append_committed) may have appended since the last job, and a
        // stale cached head would make every later batch fail on the taken seq once. One
        // indexed read per record; the writer's own uncommitted records of this batch are
        // visible to it.
        detail::ChainHead head = detail::load_head(sql);
        append_after(sql, head, event);
      },
      std::move(done));
}

bool AuditChain::append(AuditEvent event, const boost::asio::any_io_executor& executor,
                        WriteCompletion done) {
  if (!done) return append(std::move(event));
  return append(std::move(event), [executor, done = std::move(done)](const WriteResult& r) {
    boost::asio::post(executor, [done, r] { done(r); });
  });
}

AuditRecord AuditChain::append_in(soci::session& sql, AuditEvent event) {
  event = cleaned(std::move(event));
  detail::ChainHead head = detail::load_head(sql);
  if (auto r = append_after(sql, head, event)) return *r;
  for (auto& stored : detail::select_audit(sql, "ts = :p", {event.ts}, "seq", 1000)) {
    if (stored.event == event) return stored;
  }
  throw std::logic_error("audit record vanished while appending");
}

AuditRecord AuditChain::append_committed(soci::session& sql, AuditEvent event,
                                         const std::function<void(soci::session&)>& with,
                                         int attempts) {
  event = cleaned(std::move(event));  // ts fixed once: every attempt stores the same record
  const bool sqlite = backend_of(sql) == Backend::sqlite3;
  auto delay = std::chrono::milliseconds(10);
  for (int attempt = 1;; ++attempt) {
    try {
      if (sqlite) {
        sql << "BEGIN IMMEDIATE";
      } else {
        sql.begin();
      }
      try {
        if (with) with(sql);
        AuditRecord r = append_in(sql, event);
        if (sqlite) {
          sql << "COMMIT";
        } else {
          sql.commit();
        }
        return r;
      } catch (...) {
        try {
          if (sqlite) {
            sql << "ROLLBACK";
          } else {
            sql.rollback();
          }
        } catch (const std::exception&) {  // the original error says more
        }
        throw;
      }
    } catch (const soci::soci_error&) {
      if (attempt >= attempts) throw;
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(500));
    }
  }
}

}  // namespace irra::store
