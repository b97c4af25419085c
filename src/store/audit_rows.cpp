#include "audit_rows.hpp"

#include <soci/soci.h>

namespace irra::store::detail {
namespace {

std::optional<std::string> from_db(std::string& value, soci::indicator ind) {
  if (ind != soci::i_ok) return std::nullopt;
  return std::move(value);
}

}  // namespace

std::vector<AuditRecord> select_audit(soci::session& sql, const std::string& where,
                                      const std::vector<std::string>& params,
                                      const std::string& order, std::int64_t limit,
                                      std::int64_t offset) {
  std::string q =
      "SELECT seq, ts, type, actor, ucc, ip, user_agent, detail, prev_hash, hash FROM audit_log";
  if (!where.empty()) q += " WHERE " + where;
  q += " ORDER BY " + order + " LIMIT " + std::to_string(limit);
  if (offset > 0) q += " OFFSET " + std::to_string(offset);

  std::int64_t seq = 0;
  std::string ts, type, actor, ucc, ip, ua, detail, prev_hash, hash;
  soci::indicator ucc_ind = soci::i_ok, ip_ind = soci::i_ok, ua_ind = soci::i_ok,
                  detail_ind = soci::i_ok;
  soci::statement st(sql);
  st.exchange(soci::into(seq));
  st.exchange(soci::into(ts));
  st.exchange(soci::into(type));
  st.exchange(soci::into(actor));
  st.exchange(soci::into(ucc, ucc_ind));
  st.exchange(soci::into(ip, ip_ind));
  st.exchange(soci::into(ua, ua_ind));
  st.exchange(soci::into(detail, detail_ind));
  st.exchange(soci::into(prev_hash));
  st.exchange(soci::into(hash));
  for (const std::string& p : params) st.exchange(soci::use(p));
  st.alloc();
  st.prepare(q);
  st.define_and_bind();
  st.execute(false);

  std::vector<AuditRecord> out;
  while (st.fetch()) {
    AuditRecord r;
    r.seq = seq;
    r.event.ts = ts;
    r.event.type = type;
    r.event.actor = actor;
    r.event.ucc = from_db(ucc, ucc_ind);
    r.event.ip = from_db(ip, ip_ind);
    r.event.user_agent = from_db(ua, ua_ind);
    r.event.detail = from_db(detail, detail_ind);
    r.prev_hash = prev_hash;
    r.hash = hash;
    out.push_back(std::move(r));
  }
  return out;
}

ChainHead load_head(soci::session& sql) {
  ChainHead head;
  std::int64_t seq = 0;
  std::string hash;
  sql << "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", soci::into(seq),
      soci::into(hash);
  if (sql.got_data()) {
    head.seq = seq;
    head.hash = hash;
  } else {
    head.hash = std::string(audit_genesis_hash);
  }
  return head;
}

bool already_stored(soci::session& sql, const AuditEvent& event) {
  for (const AuditRecord& r : select_audit(sql, "ts = :p", {event.ts}, "seq", 1000)) {
    if (r.event == event) return true;
  }
  return false;
}

void insert_audit(soci::session& sql, const AuditRecord& r) {
  const auto ind = [](const std::optional<std::string>& v) {
    return v ? soci::i_ok : soci::i_null;
  };
  static const std::string empty;
  const auto& e = r.event;
  soci::indicator ucc_ind = ind(e.ucc), ip_ind = ind(e.ip), ua_ind = ind(e.user_agent),
                  detail_ind = ind(e.detail);
  sql << "INSERT INTO audit_log (seq, ts, type, actor, ucc, ip, user_agent, detail, prev_hash,"
         " hash) VALUES (:seq, :ts, :type, :actor, :ucc, :ip, :ua, :detail, :prev, :hash)",
      soci::use(r.seq), soci::use(e.ts), soci::use(e.type), soci::use(e.actor),
      soci::use(e.ucc ? *e.ucc : empty, ucc_ind), soci::use(e.ip ? *e.ip : empty, ip_ind),
      soci::use(e.user_agent ? *e.user_agent : empty, ua_ind),
      soci::use(e.detail ? *e.detail : empty, detail_ind), soci::use(r.prev_hash),
      soci::use(r.hash);
}

}  // namespace irra::store::detail
