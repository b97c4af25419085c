#include "irra/web/reference_data.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <cctype>

namespace irra::web {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

const std::vector<Holding> no_holdings;

}  // namespace

void ReferenceData::load(soci::session& sql) {
  // Paged reads through vector into(), as the start-of-day loader does: bounded memory and
  // fast enough for hundreds of thousands of rows.
  constexpr std::size_t page = 10000;
  {
    std::vector<std::string> ucc(page), inst(page);
    std::vector<long long> qty(page), avg(page);
    soci::statement st = (sql.prepare << "SELECT ucc, instrument_id, qty, avg_price FROM holdings",
                          soci::into(ucc), soci::into(inst), soci::into(qty), soci::into(avg));
    st.execute();
    while (st.fetch()) {
      for (std::size_t i = 0; i < ucc.size(); ++i) add_holding(ucc[i], Holding{inst[i], qty[i], avg[i]});
      ucc.resize(page);
      inst.resize(page);
      qty.resize(page);
      avg.resize(page);
    }
  }
  {
    std::vector<std::string> ucc(page);
    std::vector<long long> opening(page), used(page), collateral(page);
    soci::statement st =
        (sql.prepare << "SELECT ucc, opening_balance, margin_used, collateral FROM funds",
         soci::into(ucc), soci::into(opening), soci::into(used), soci::into(collateral));
    st.execute();
    while (st.fetch()) {
      for (std::size_t i = 0; i < ucc.size(); ++i) {
        set_funds(ucc[i], Funds{opening[i], used[i], collateral[i]});
      }
      ucc.resize(page);
      opening.resize(page);
      used.resize(page);
      collateral.resize(page);
    }
  }
  {
    std::vector<std::string> ucc(page), pan(page);
    soci::statement st = (sql.prepare << "SELECT ucc, pan FROM clients", soci::into(ucc),
                          soci::into(pan));
    st.execute();
    while (st.fetch()) {
      for (std::size_t i = 0; i < ucc.size(); ++i) add_pan(pan[i], ucc[i]);
      ucc.resize(page);
      pan.resize(page);
    }
  }
}

const std::vector<Holding>& ReferenceData::holdings(std::string_view ucc) const {
  const auto it = holdings_.find(ucc);
  return it == holdings_.end() ? no_holdings : it->second;
}

const Funds* ReferenceData::funds(std::string_view ucc) const {
  const auto it = funds_.find(ucc);
  return it == funds_.end() ? nullptr : &it->second;
}

std::string_view ReferenceData::ucc_of_pan(std::string_view pan) const {
  const auto it = pan_to_ucc_.find(upper(pan));
  return it == pan_to_ucc_.end() ? std::string_view{} : std::string_view(it->second);
}

void ReferenceData::add_holding(const std::string& ucc, Holding h) {
  holdings_[ucc].push_back(std::move(h));
  ++holding_count_;
}

void ReferenceData::set_funds(const std::string& ucc, Funds f) { funds_[ucc] = f; }

void ReferenceData::add_pan(const std::string& pan, const std::string& ucc) {
  if (!pan.empty()) pan_to_ucc_.emplace(upper(pan), ucc);
}

}  // namespace irra::web
