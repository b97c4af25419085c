#include "state_loader.hpp"

#include <soci/soci.h>

#include <stdexcept>

#include "irra/domain/book.hpp"

namespace irra::app {

LoadedCounts load_start_of_day(soci::session& sql, domain::Book& book) {
  LoadedCounts counts;
  soci::indicator ind = soci::i_null;
  std::string date;
  sql << "SELECT trading_date FROM sod_imports ORDER BY id DESC LIMIT 1", soci::into(date, ind);
  if (sql.got_data() && ind == soci::i_ok) counts.trading_date = date;
  book.start_trading_date(counts.trading_date);

  // Rows are read in pages through a prepared statement with vector into(): fast enough for
  // a million positions and bounded in memory.
  constexpr std::size_t page = 10000;
  {
    std::vector<std::string> id(page), exch(page), seg(page), sym(page);
    std::vector<long long> lot(page), tick(page), freeze(page), lo(page), hi(page), prev(page);
    soci::statement st =
        (sql.prepare << "SELECT instrument_id, exchange, segment, symbol, lot_size, tick_size, "
                        "freeze_qty, lower_band, upper_band, prev_close FROM instruments",
         soci::into(id), soci::into(exch), soci::into(seg), soci::into(sym), soci::into(lot),
         soci::into(tick), soci::into(freeze), soci::into(lo), soci::into(hi), soci::into(prev));
    st.execute();
    while (st.fetch()) {
      for (std::size_t i = 0; i < id.size(); ++i) {
        const auto segment = domain::parse_segment(seg[i]);
        if (!segment) throw std::runtime_error("instruments: bad segment '" + seg[i] + "'");
        book.add_instrument(domain::Instrument{id[i], exch[i], *segment, sym[i], lot[i], tick[i],
                                               freeze[i], lo[i], hi[i], prev[i]});
        ++counts.instruments;
      }
      for (auto* v : {&id, &exch, &seg, &sym}) v->resize(page);
      for (auto* v : {&lot, &tick, &freeze, &lo, &hi, &prev}) v->resize(page);
    }
  }
  {
    std::vector<std::string> ucc(page), pan(page), name(page), mobile(page), email(page);
    std::vector<int> eligible(page);
    soci::statement st =
        (sql.prepare << "SELECT ucc, pan, name, mobile, email, eligible FROM clients",
         soci::into(ucc), soci::into(pan), soci::into(name), soci::into(mobile),
         soci::into(email), soci::into(eligible));
    st.execute();
    while (st.fetch()) {
      for (std::size_t i = 0; i < ucc.size(); ++i) {
        book.add_client(domain::Client{ucc[i], pan[i], name[i], mobile[i], email[i],
                                       eligible[i] != 0});
        ++counts.clients;
      }
      for (auto* v : {&ucc, &pan, &name, &mobile, &email}) v->resize(page);
      eligible.resize(page);
    }
  }
  {
    std::vector<std::string> ucc(page), inst(page), product(page);
    std::vector<long long> qty(page), avg(page);
    soci::statement st =
        (sql.prepare << "SELECT ucc, instrument_id, product, net_qty, avg_price "
                        "FROM sod_positions",
         soci::into(ucc), soci::into(inst), soci::into(product), soci::into(qty),
         soci::into(avg));
    st.execute();
    while (st.fetch()) {
      for (std::size_t i = 0; i < ucc.size(); ++i) {
        const auto p = domain::parse_product(product[i]);
        if (!p) throw std::runtime_error("sod_positions: bad product '" + product[i] + "'");
        book.add_carried_forward(domain::PositionKey{ucc[i], inst[i], *p}, qty[i], avg[i]);
        ++counts.positions;
      }
      for (auto* v : {&ucc, &inst, &product}) v->resize(page);
      for (auto* v : {&qty, &avg}) v->resize(page);
    }
  }
  return counts;
}

}  // namespace irra::app
