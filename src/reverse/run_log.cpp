#include "irra/reverse/run_log.hpp"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

namespace irra::reverse {

store::AuditRecord record_run(soci::session& irra_db, const RunRecord& run) {
  const nlohmann::ordered_json detail = {
      {"trading_date", run.trading_date},
      {"target", run.target},
      {"orders", run.orders},
      {"trades", run.trades},
      {"orders_written", run.orders_written},
      {"trades_written", run.trades_written},
      {"started_at", run.started_at},
      {"finished_at", run.finished_at},
  };
  store::AuditEvent event{.ts = "",
                          .type = "reverse_migration.run",
                          .actor = "system:reverse-migrate",
                          .ucc = std::nullopt,
                          .ip = std::nullopt,
                          .user_agent = std::nullopt,
                          .detail = detail.dump()};
  // The row and the audit record in one transaction, retried as a whole if the server
  // appends to the audit chain at the same moment.
  const long long orders = run.orders, trades = run.trades, orders_written = run.orders_written,
                  trades_written = run.trades_written;
  return store::AuditChain::append_committed(irra_db, std::move(event), [&](soci::session& sql) {
    sql << "INSERT INTO reverse_migrations (started_at, finished_at, trading_date, target,"
           " orders, trades, orders_written, trades_written, summary) VALUES (:s, :f, :d, :t,"
           " :o, :tr, :ow, :tw, :sum)",
        soci::use(run.started_at), soci::use(run.finished_at), soci::use(run.trading_date),
        soci::use(run.target), soci::use(orders), soci::use(trades), soci::use(orders_written),
        soci::use(trades_written), soci::use(run.summary);
  });
}

}  // namespace irra::reverse
