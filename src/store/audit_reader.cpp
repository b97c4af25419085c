// Reading the audit trail back: verification, paginated queries and CSV export.
#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <set>

#include "audit_rows.hpp"
#include "irra/store/audit.hpp"

namespace irra::store::audit {
namespace {

constexpr std::int64_t scan_page = 5000;

bool own_hash_ok(const AuditRecord& r) {
  return audit_hash(r.seq, r.event, r.prev_hash) == r.hash;
}

// seq -> hash for the given seqs (those present).
std::map<std::int64_t, std::string> hashes_of(soci::session& sql,
                                              const std::set<std::int64_t>& seqs) {
  std::map<std::int64_t, std::string> out;
  if (seqs.empty()) return out;
  std::string in;
  for (const auto s : seqs) {
    if (!in.empty()) in += ',';
    in += std::to_string(s);
  }
  const auto limit = static_cast<std::int64_t>(seqs.size());
  for (const auto& r : detail::select_audit(sql, "seq IN (" + in + ")", {}, "seq", limit)) {
    out.emplace(r.seq, r.hash);
  }
  return out;
}

bool link_ok(const AuditRecord& r, const std::map<std::int64_t, std::string>& known) {
  if (r.seq == 1) return r.prev_hash == audit_genesis_hash;
  const auto it = known.find(r.seq - 1);
  return it != known.end() && it->second == r.prev_hash;
}

void csv_cell(std::ostream& out, std::string_view v) {
  std::string cell;
  if (!v.empty() && std::string_view("=+-@\t\r").find(v.front()) != std::string_view::npos) {
    cell = "'";
  }
  cell += v;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) {
    out << cell;
    return;
  }
  out << '"';
  for (const char c : cell) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

void csv_opt_cell(std::ostream& out, const std::optional<std::string>& v) {
  csv_cell(out, v ? std::string_view(*v) : std::string_view());
}

}  // namespace

void csv_row(std::ostream& out, const AuditRecord& r) {
  out << r.seq << ',';
  csv_cell(out, r.event.ts);
  out << ',';
  csv_cell(out, r.event.type);
  out << ',';
  csv_cell(out, r.event.actor);
  out << ',';
  csv_opt_cell(out, r.event.ucc);
  out << ',';
  csv_opt_cell(out, r.event.ip);
  out << ',';
  csv_opt_cell(out, r.event.user_agent);
  out << ',';
  csv_opt_cell(out, r.event.detail);
  out << ',' << r.prev_hash << ',' << r.hash << ',' << (r.chain_ok ? "true" : "false") << "\r\n";
}

const char* const csv_header = "seq,ts,type,actor,ucc,ip,user_agent,detail,prev_hash,hash,chain_ok\r\n";

AuditVerifyResult verify(soci::session& sql) {
  AuditVerifyResult res;
  std::int64_t expected = 1;
  std::string prev(audit_genesis_hash);
  const auto bad = [&res](std::int64_t seq, std::string reason) {
    res.ok = false;
    res.first_bad_seq = seq;
    res.reason = std::move(reason);
    return res;
  };
  for (;;) {
    const auto page =
        detail::select_audit(sql, "seq >= " + std::to_string(expected), {}, "seq", scan_page);
    for (const AuditRecord& r : page) {
      if (r.seq != expected) {
        return bad(expected, "record " + std::to_string(expected) + " is missing (next is " +
                                 std::to_string(r.seq) + ")");
      }
      ++res.records;
      if (r.prev_hash != prev) {
        return bad(r.seq,
                   "prev_hash does not match the hash of record " + std::to_string(r.seq - 1));
      }
      if (!own_hash_ok(r)) return bad(r.seq, "hash does not match the record's contents");
      prev = r.hash;
      ++expected;
    }
    if (static_cast<std::int64_t>(page.size()) < scan_page) break;
  }
  // Rows numbered below 1 are outside the chain: someone inserted them.
  std::int64_t stray = 0;
  sql << "SELECT COUNT(*) FROM audit_log WHERE seq < 1", soci::into(stray);
  if (stray > 0) return bad(0, "records with seq below 1 exist");
  return res;
}

AuditPage query(soci::session& sql, const AuditFilter& f, std::int64_t limit, std::int64_t offset) {
  limit = std::clamp<std::int64_t>(limit, 1, max_page);
  offset = std::max<std::int64_t>(offset, 0);
  std::string where;
  std::vector<std::string> params;
  // Placeholders need distinct names: SOCI binds a repeated name only once.
  const auto add = [&](const char* cond, const std::string& value) {
    if (!where.empty()) where += " AND ";
    params.push_back(value);
    where += cond + std::to_string(params.size());
  };
  if (f.ucc) add("ucc = :p", *f.ucc);
  if (f.actor) add("actor = :p", *f.actor);
  if (f.type) add("type = :p", *f.type);
  if (!f.from.empty()) add("ts >= :p", f.from);
  if (!f.to.empty()) add("ts < :p", f.to);

  AuditPage page;
  page.records = detail::select_audit(sql, where, params, "seq DESC", limit + 1, offset);
  if (static_cast<std::int64_t>(page.records.size()) > limit) {
    page.more = true;
    page.records.pop_back();
  }
  std::map<std::int64_t, std::string> known;
  std::set<std::int64_t> missing;
  for (const auto& r : page.records) known.emplace(r.seq, r.hash);
  for (const auto& r : page.records) {
    if (r.seq > 1 && !known.count(r.seq - 1)) missing.insert(r.seq - 1);
  }
  known.merge(hashes_of(sql, missing));
  for (auto& r : page.records) r.chain_ok = own_hash_ok(r) && link_ok(r, known);
  return page;
}

std::int64_t export_csv(soci::session& sql, std::string_view from, std::string_view to,
                        std::ostream& out) {
  out << csv_header;
  std::int64_t written = 0;
  std::int64_t after = 0;  // seq of the last record written
  std::map<std::int64_t, std::string> known;
  for (;;) {
    std::string where = "seq > " + std::to_string(after);
    std::vector<std::string> params;
    if (!from.empty()) {
      where += " AND ts >= :from";
      params.emplace_back(from);
    }
    if (!to.empty()) {
      where += " AND ts < :to";
      params.emplace_back(to);
    }
    auto page = detail::select_audit(sql, where, params, "seq", scan_page);
    for (auto& r : page) {
      if (r.seq > 1 && !known.count(r.seq - 1)) known.merge(hashes_of(sql, {r.seq - 1}));
      r.chain_ok = own_hash_ok(r) && link_ok(r, known);
      known.clear();  // only the latest hash is needed for the next record
      known.emplace(r.seq, r.hash);
      csv_row(out, r);
      after = r.seq;
      ++written;
    }
    if (static_cast<std::int64_t>(page.size()) < scan_page) break;
  }
  return written;
}

}  // namespace irra::store::audit
