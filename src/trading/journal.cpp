#include "journal.hpp"

#include <soci/soci.h>

#include <stdexcept>

#include "irra/store/sql_dialect.hpp"
#include "journal_insert.hpp"

namespace irra::trading::detail {
namespace {

std::string select_list() {
  std::string s;
  for (const auto c : journal_columns()) {
    if (!s.empty()) s += ", ";
    s += c;
  }
  return s;
}

// Column vectors for one page of the journal read at start-up.
struct Columns {
  std::vector<std::string> date, kind, key, exec_id, session, order_id, cl_ord_id, orig, ucc,
      instrument, product, side, exec_type, ord_status, ord_type, transact_time, text, origin,
      actor, idem, reason, placed_at, received_at;
  std::vector<long long> in_seq, order_qty, price, last_qty, last_px, cum_qty, leaves_qty, avg_px,
      rej_reason;
  std::vector<soci::indicator> rej_ind;
};

void write_sessions(soci::session& sql, store::Backend backend, const Batch& batch) {
  for (const auto& name : batch.reset_sessions) {
    sql << "DELETE FROM fix_outbound WHERE name = :n", soci::use(name);
  }
  if (!batch.outbound.empty()) {
    const std::string q =
        store::upsert_sql(backend, "fix_outbound", {"name", "trading_date", "seq", "raw"},
                          {"name", "trading_date", "seq"});
    std::vector<std::string> name, date, raw;
    std::vector<long long> seq;
    for (const auto& m : batch.outbound) {
      name.push_back(m.session);
      date.push_back(batch.trading_date);
      seq.push_back(static_cast<long long>(m.seq));
      raw.push_back(m.raw);
    }
    sql << q, soci::use(name, "name"), soci::use(date, "trading_date"), soci::use(seq, "seq"),
        soci::use(raw, "raw");
  }
  if (!batch.sessions.empty()) {
    const std::string q = store::upsert_sql(backend, "fix_sessions",
                                            {"name", "trading_date", "next_in_seq", "next_out_seq"},
                                            {"name", "trading_date"});
    for (const auto& [name, s] : batch.sessions) {
      const auto in = static_cast<long long>(s.next_in);
      const auto out = static_cast<long long>(s.next_out);
      sql << q, soci::use(name, "name"), soci::use(batch.trading_date, "trading_date"),
          soci::use(in, "next_in_seq"), soci::use(out, "next_out_seq");
    }
  }
}

void write_idempotency(soci::session& sql, store::Backend backend, const Batch& batch) {
  if (batch.idempotency.empty()) return;
  const std::string q = store::insert_or_ignore_sql(
      backend, "idempotency", {"trading_date", "scope", "idem_key", "response", "created_at"});
  for (const auto& row : batch.idempotency) {
    sql << q, soci::use(batch.trading_date, "trading_date"), soci::use(row.scope, "scope"),
        soci::use(row.key, "idem_key"), soci::use(row.response, "response"),
        soci::use(row.created_at, "created_at");
  }
}

template <class T, class F>
T parse_or_throw(std::string_view what, const std::string& text, F parse) {
  const auto v = parse(text);
  if (!v) throw std::runtime_error("journal: bad " + std::string(what) + " '" + text + "'");
  return *v;
}

domain::Timestamp time_of(const std::string& text) {
  if (text.empty()) return 0;
  return parse_or_throw<domain::Timestamp>("time", text, domain::parse_iso8601);
}

JournalKind kind_of(const std::string& text) {
  for (auto k : {JournalKind::exec, JournalKind::order_new, JournalKind::order_fail,
                 JournalKind::cancel_req}) {
    if (to_string(k) == text) return k;
  }
  throw std::runtime_error("journal: unknown kind '" + text + "'");
}

}  // namespace

std::string_view to_string(JournalKind k) {
  switch (k) {
    case JournalKind::exec:
      return "exec";
    case JournalKind::order_new:
      return "order_new";
    case JournalKind::order_fail:
      return "order_fail";
    case JournalKind::cancel_req:
      return "cancel_req";
  }
  return "exec";
}

void write_batch(soci::session& sql, const Batch& batch) {
  const store::Backend backend = store::backend_of(sql);
  insert_journal_rows(sql, batch.trading_date, batch.rows);
  write_sessions(sql, backend, batch);
  write_idempotency(sql, backend, batch);
  notify::insert_events(sql, batch.events);  // insert-or-ignore by event_id
}

void read_journal(soci::session& sql, const std::string& trading_date,
                  const std::function<void(JournalRow&&)>& emit) {
  constexpr std::size_t page = 5000;
  Columns c;
  auto size_all = [&](std::size_t n) {
    for (auto* v :
         {&c.date,      &c.kind,       &c.key,      &c.exec_id,       &c.session,    &c.order_id,
          &c.cl_ord_id, &c.orig,       &c.ucc,      &c.instrument,    &c.product,    &c.side,
          &c.exec_type, &c.ord_status, &c.ord_type, &c.transact_time, &c.text,       &c.origin,
          &c.actor,     &c.idem,       &c.reason,   &c.placed_at,     &c.received_at}) {
      v->resize(n);
    }
    for (auto* v : {&c.in_seq, &c.order_qty, &c.price, &c.last_qty, &c.last_px, &c.cum_qty,
                    &c.leaves_qty, &c.avg_px, &c.rej_reason}) {
      v->resize(n);
    }
    c.rej_ind.resize(n);
  };
  size_all(page);
  std::vector<soci::indicator> exec_ind(page);
  const std::string q =
      "SELECT " + select_list() + " FROM journal WHERE trading_date = :d ORDER BY id";
  soci::statement st =
      (sql.prepare << q, soci::use(trading_date, "d"), soci::into(c.date), soci::into(c.kind),
       soci::into(c.key), soci::into(c.exec_id, exec_ind), soci::into(c.session),
       soci::into(c.in_seq), soci::into(c.order_id), soci::into(c.cl_ord_id), soci::into(c.orig),
       soci::into(c.ucc), soci::into(c.instrument), soci::into(c.product), soci::into(c.side),
       soci::into(c.exec_type), soci::into(c.ord_status), soci::into(c.order_qty),
       soci::into(c.ord_type), soci::into(c.price), soci::into(c.last_qty), soci::into(c.last_px),
       soci::into(c.cum_qty), soci::into(c.leaves_qty), soci::into(c.avg_px),
       soci::into(c.transact_time), soci::into(c.text), soci::into(c.rej_reason, c.rej_ind),
       soci::into(c.origin), soci::into(c.actor), soci::into(c.idem), soci::into(c.reason),
       soci::into(c.placed_at), soci::into(c.received_at));
  st.execute();
  while (st.fetch()) {
    for (std::size_t i = 0; i < c.kind.size(); ++i) {
      JournalRow row;
      row.kind = kind_of(c.kind[i]);
      row.session = std::move(c.session[i]);
      row.in_seq = static_cast<std::uint64_t>(c.in_seq[i]);
      auto& r = row.report;
      r.exec_id = row.kind == JournalKind::exec ? c.key[i] : std::string();
      r.order_id = std::move(c.order_id[i]);
      r.cl_ord_id = std::move(c.cl_ord_id[i]);
      r.orig_cl_ord_id = std::move(c.orig[i]);
      r.ucc = std::move(c.ucc[i]);
      r.instrument_id = std::move(c.instrument[i]);
      r.product = parse_or_throw<domain::Product>("product", c.product[i], domain::parse_product);
      r.side = parse_or_throw<domain::Side>("side", c.side[i], domain::parse_side);
      r.exec_type =
          parse_or_throw<domain::ExecType>("exec_type", c.exec_type[i], domain::parse_exec_type);
      r.ord_status = parse_or_throw<domain::OrderStatus>("ord_status", c.ord_status[i],
                                                         domain::parse_order_status);
      r.order_qty = c.order_qty[i];
      r.ord_type =
          parse_or_throw<domain::OrderType>("ord_type", c.ord_type[i], domain::parse_order_type);
      r.price = c.price[i];
      r.last_qty = c.last_qty[i];
      r.last_px = c.last_px[i];
      r.cum_qty = c.cum_qty[i];
      r.leaves_qty = c.leaves_qty[i];
      r.avg_px = c.avg_px[i];
      r.transact_time = time_of(c.transact_time[i]);
      r.text = std::move(c.text[i]);
      if (c.rej_ind[i] == soci::i_ok) r.rej_reason = static_cast<int>(c.rej_reason[i]);
      row.origin = std::move(c.origin[i]);
      row.actor = std::move(c.actor[i]);
      row.idempotency_key = std::move(c.idem[i]);
      row.reason = std::move(c.reason[i]);
      row.received_at = time_of(c.received_at[i]);
      emit(std::move(row));
    }
    size_all(page);
    exec_ind.resize(page);
  }
}

}  // namespace irra::trading::detail
