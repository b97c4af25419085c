// The day's summary, shared by summary.json, the command's output and reverse_migrations.
#include <algorithm>
#include <map>

#include "irra/reverse/targets.hpp"
#include "irra/trading/json_views.hpp"

namespace irra::reverse {
namespace {

using nlohmann::ordered_json;

ordered_json time_or_null(std::optional<domain::Timestamp> t) {
  return t ? ordered_json(domain::format_iso8601(*t)) : ordered_json(nullptr);
}

ordered_json counted(const std::map<std::string, std::int64_t>& counts) {
  ordered_json o = ordered_json::object();
  for (const auto& [k, n] : counts) o[k] = n;
  return o;
}

}  // namespace

ordered_json summary_of(const DayRecords& day, const ordered_json& files) {
  std::map<std::string, std::int64_t> order_sources, statuses, trade_sources;
  std::optional<domain::Timestamp> first, last;
  const auto seen = [&](domain::Timestamp t) {
    if (t == 0) return;
    first = first ? std::min(*first, t) : t;
    last = last ? std::max(*last, t) : t;
  };
  for (const auto& o : day.orders) {
    ++order_sources[o.source];
    ++statuses[o.status];
    seen(o.placed_at);
    seen(o.updated_at);
  }
  domain::Qty qty = 0;
  domain::Paise value = 0;
  for (const auto& t : day.trades) {
    ++trade_sources[t.source];
    qty += t.qty;
    value += t.value;
    seen(t.traded_at);
  }
  ordered_json periods = ordered_json::array();
  for (const auto& p : day.active) {
    periods.push_back(
        {{"from",
          time_or_null(p.from == 0 ? std::nullopt : std::optional<domain::Timestamp>(p.from))},
         {"to", time_or_null(p.to)}});
  }
  ordered_json s = {
      {"trading_date", day.trading_date},
      {"orders",
       {{"total", day.orders.size()},
        {"by_source", counted(order_sources)},
        {"by_status", counted(statuses)}}},
      {"trades",
       {{"total", day.trades.size()},
        {"by_source", counted(trade_sources)},
        {"qty", qty},
        {"value_paise", value},
        {"value", ordered_json(trading::rupees(value))}}},
      {"time_range", {{"from", time_or_null(first)}, {"to", time_or_null(last)}}},
      {"active_periods", std::move(periods)},
  };
  if (!files.is_null()) s["files"] = files;
  return s;
}

}  // namespace irra::reverse
