#include <soci/soci.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "irra/store/audit.hpp"
#include "test_db.hpp"

using irra::store::AuditChain;
using irra::store::AuditEvent;
using irra::store::AuditFilter;
using irra::store::test::TestDb;
namespace audit = irra::store::audit;

namespace {

// Ten records on 2024-12-02 at 09:00:0N, alternating clients A and B.
void append_day(soci::session& sql) {
  for (int i = 0; i < 10; ++i) {
    AuditEvent e;
    e.ts = "2024-12-02T09:00:0" + std::to_string(i) + ".000000Z";
    e.type = i < 5 ? "investor.login" : "investor.square_off";
    e.actor = i % 2 ? "investor:B" : "investor:A";
    e.ucc = i % 2 ? "B" : "A";
    e.detail = "{\"i\":" + std::to_string(i) + "}";
    AuditChain::append_in(sql, e);
  }
}

std::vector<std::int64_t> seqs(const irra::store::AuditPage& p) {
  std::vector<std::int64_t> out;
  for (const auto& r : p.records) out.push_back(r.seq);
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find("\r\n", pos);
    out.push_back(text.substr(pos, end - pos));
    pos = end + 2;
  }
  return out;
}

}  // namespace

TEST_CASE("audit queries return the newest first with filters and pages") {
  TestDb db;
  auto sql = db.open();
  append_day(*sql);

  const auto all = audit::query(*sql, {}, 4, 0);
  CHECK(seqs(all) == std::vector<std::int64_t>{10, 9, 8, 7});
  CHECK(all.more);
  const auto last = audit::query(*sql, {}, 4, 8);
  CHECK(seqs(last) == std::vector<std::int64_t>{2, 1});
  CHECK_FALSE(last.more);

  AuditFilter by_client;
  by_client.ucc = "A";
  CHECK(seqs(audit::query(*sql, by_client, 100, 0)) == std::vector<std::int64_t>{9, 7, 5, 3, 1});

  AuditFilter by_type_actor;
  by_type_actor.type = "investor.square_off";
  by_type_actor.actor = "investor:B";
  CHECK(seqs(audit::query(*sql, by_type_actor, 100, 0)) == std::vector<std::int64_t>{10, 8, 6});

  AuditFilter window;
  window.from = "2024-12-02T09:00:03";
  window.to = "2024-12-02T09:00:06";
  CHECK(seqs(audit::query(*sql, window, 100, 0)) == std::vector<std::int64_t>{6, 5, 4});

  AuditFilter nobody;
  nobody.ucc = "Z' OR '1'='1";  // bound, never spliced into the SQL
  CHECK(audit::query(*sql, nobody, 100, 0).records.empty());

  CHECK(audit::query(*sql, {}, 0, -5).records.size() == 1);  // clamped to [1, max]
}

TEST_CASE("each queried audit record says whether its chain link verifies") {
  TestDb db;
  auto sql = db.open();
  append_day(*sql);
  AuditFilter by_client;
  by_client.ucc = "A";  // odd seqs only: their predecessors are looked up separately
  for (const auto& r : audit::query(*sql, by_client, 100, 0).records) CHECK(r.chain_ok);

  *sql << "UPDATE audit_log SET ucc = 'A', detail = '{}' WHERE seq = 4";
  const auto page = audit::query(*sql, by_client, 100, 0);
  for (const auto& r : page.records) {
    INFO(r.seq);
    CHECK(r.chain_ok == (r.seq != 4));
  }
}

TEST_CASE("the audit CSV export quotes fields and honours the time range") {
  TestDb db;
  auto sql = db.open();
  append_day(*sql);
  AuditEvent tricky;
  tricky.ts = "2024-12-02T09:00:05.500000Z";
  tricky.type = "staff.note";
  tricky.actor = "staff:ops, \"night\"";
  tricky.user_agent = "=HYPERLINK(\"x\")";
  tricky.detail = "{\"text\":\"line1\nline2\"}";
  AuditChain::append_in(*sql, tricky);

  std::ostringstream out;
  const auto n = audit::export_csv(*sql, "2024-12-02T09:00:05", "2024-12-02T09:00:07", out);
  CHECK(n == 3);  // seq 6 (09:00:05), 11 (09:00:05.5), 7 (09:00:06), oldest seq first
  const auto rows = lines(out.str());
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == "seq,ts,type,actor,ucc,ip,user_agent,detail,prev_hash,hash,chain_ok");
  CHECK(rows[1].rfind("6,2024-12-02T09:00:05.000000Z,investor.square_off,investor:B,B,,,"
                      "\"{\"\"i\"\":5}\",",
                      0) == 0);
  CHECK(rows[2].rfind("7,", 0) == 0);
  const std::string& t = rows[3];
  CHECK(t.rfind("11,2024-12-02T09:00:05.500000Z,staff.note,\"staff:ops, \"\"night\"\"\",,,"
                "\"'=HYPERLINK(\"\"x\"\")\",\"{\"\"text\"\":\"\"line1\nline2\"\"}\",",
                0) == 0);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    CHECK(rows[i].size() > 5);
    CHECK(rows[i].substr(rows[i].size() - 5) == ",true");
  }

  std::ostringstream everything;
  CHECK(audit::export_csv(*sql, "", "", everything) == 11);
}

TEST_CASE("a tampered record is flagged in the export") {
  TestDb db;
  auto sql = db.open();
  append_day(*sql);
  *sql << "UPDATE audit_log SET actor = 'investor:Z' WHERE seq = 2";
  std::ostringstream out;
  audit::export_csv(*sql, "", "", out);
  const auto rows = lines(out.str());
  REQUIRE(rows.size() == 11);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    INFO(rows[i]);
    const bool ok = rows[i].substr(rows[i].size() - 5) == ",true";
    CHECK(ok == (i != 2));
  }
}
