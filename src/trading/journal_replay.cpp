// The journal replay: Engine::load at start-up and the readers outside the engine
// (reverse-migrate) rebuild the Book with this one loop.
#include "irra/trading/journal_replay.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include "journal.hpp"

namespace irra::trading {

using detail::JournalKind;
using detail::JournalRow;

namespace {

// The pending backup order an order_new row registered.
domain::Order order_of(const JournalRow& row) {
  const auto& r = row.report;
  domain::Order o;
  o.order_id = r.cl_ord_id;
  o.cl_ord_id = r.cl_ord_id;
  o.ucc = r.ucc;
  o.instrument_id = r.instrument_id;
  o.product = r.product;
  o.side = r.side;
  o.qty = r.order_qty;
  o.price = r.price;
  o.order_type = r.ord_type;
  o.status = domain::OrderStatus::pending;
  o.source = domain::OrderSource::backup;
  o.origin = domain::parse_origin(row.origin);
  o.placed_at = r.transact_time;
  o.updated_at = r.transact_time;
  return o;
}

OwnJournalRow own_row(OwnJournalRow::Kind kind, const JournalRow& row) {
  OwnJournalRow o;
  o.kind = kind;
  o.cl_ord_id = row.report.cl_ord_id;
  o.order_id = kind == OwnJournalRow::Kind::cancel_req ? row.report.order_id : row.report.cl_ord_id;
  o.origin = row.origin;
  o.actor = row.actor;
  o.reason = row.reason;
  o.idempotency_key = row.idempotency_key;
  o.at = row.report.transact_time;
  return o;
}

}  // namespace

ReplayCounts replay_journal(soci::session& sql, domain::Book& book,
                            const std::function<void(const OwnJournalRow&)>& own) {
  ReplayCounts counts;
  long long rows = 0;
  sql << "SELECT COUNT(*) FROM journal WHERE trading_date = :d", soci::use(book.trading_date()),
      soci::into(rows);
  book.reserve_reports(static_cast<std::size_t>(rows));
  detail::read_journal(sql, book.trading_date(), [&](JournalRow&& row) {
    ++counts.rows;
    switch (row.kind) {
      case JournalKind::exec: {
        ++counts.execs;
        const auto out = book.apply(row.report);
        if (out.status == domain::ApplyStatus::refused) {
          ++counts.refused;
          spdlog::error("journal replay: report {} refused: {}", row.report.exec_id, out.reason);
        }
        return;
      }
      case JournalKind::order_new: {
        ++counts.orders;
        auto o = own_row(OwnJournalRow::Kind::order_new, row);
        const auto res = book.add_pending_order(order_of(row));
        if (!res.ok()) {
          ++counts.refused;
          spdlog::error("journal replay: order {} refused: {}", row.report.cl_ord_id, res.text);
        }
        o.registered = res.ok();
        if (own) own(o);
        return;
      }
      case JournalKind::order_fail:
        book.reject_pending(row.report.cl_ord_id, row.report.text, row.report.transact_time);
        if (own) own(own_row(OwnJournalRow::Kind::order_fail, row));
        return;
      case JournalKind::cancel_req:
        if (own) own(own_row(OwnJournalRow::Kind::cancel_req, row));
        return;
    }
  });
  return counts;
}

}  // namespace irra::trading
