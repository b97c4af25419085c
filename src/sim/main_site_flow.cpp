#include "main_site_flow.hpp"

#include <algorithm>

#include "exchange.hpp"

namespace irra::sim {
namespace {

// Orders the flow keeps in play at once, and how many it leaves resting for good.
constexpr std::size_t max_live = 512;
constexpr std::uint64_t max_resting = 200;
// Reports emitted per tick at most, and the backlog forgiven when the flow falls behind.
constexpr std::uint64_t max_per_tick = 50'000;
constexpr auto max_lag = std::chrono::milliseconds{500};

const domain::Product eq_products[] = {domain::Product::mis, domain::Product::cnc,
                                       domain::Product::mtf};
const domain::Product fo_products[] = {domain::Product::mis, domain::Product::nrml};

}  // namespace

main_site_flow::main_site_flow(exchange& ex, std::uint64_t rate, std::uint64_t limit,
                               std::uint64_t seed)
    : ex_(ex), rate_(rate), limit_(limit), rng_(seed) {
  live_.reserve(max_live);
}

void main_site_flow::start(const fix::session_time& now) {
  if (started_) return;
  started_ = true;
  epoch_ = now.steady;
  emitted_at_epoch_ = emitted_;
}

std::chrono::nanoseconds main_site_flow::clock() const {
  if (rate_ == 0) return clock_base_;
  const std::uint64_t n = emitted_ - clock_base_emitted_;
  return clock_base_ + std::chrono::seconds(n / rate_) +
         std::chrono::nanoseconds((n % rate_) * 1'000'000'000 / rate_);
}

void main_site_flow::reconfigure(std::uint64_t rate, std::uint64_t limit,
                                 const fix::session_time& now) {
  clock_base_ = clock();
  clock_base_emitted_ = emitted_;
  rate_ = rate;
  limit_ = limit;
  epoch_ = now.steady;
  emitted_at_epoch_ = emitted_;
}

void main_site_flow::on_tick(const fix::session_time& now, bool paused) {
  if (!started_ || rate_ == 0 || done() || ex_.dump().clients.empty() || ex_.prices().size() == 0) {
    return;
  }
  const auto elapsed = now.steady - epoch_;
  if (paused) {
    epoch_ = now.steady;  // nothing is owed for the time the reader was behind
    emitted_at_epoch_ = emitted_;
    return;
  }
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  std::uint64_t due =
      static_cast<std::uint64_t>(static_cast<long double>(rate_) * micros / 1'000'000.0L);
  std::uint64_t owed =
      due > emitted_ - emitted_at_epoch_ ? due - (emitted_ - emitted_at_epoch_) : 0;
  const auto lag_limit = static_cast<std::uint64_t>(
      static_cast<long double>(rate_) * std::chrono::duration<long double>(max_lag).count());
  if (owed > lag_limit + max_per_tick) {
    // We cannot keep up (CPU): restart the clock instead of bursting forever.
    epoch_ = now.steady;
    emitted_at_epoch_ = emitted_;
    owed = std::min(owed, max_per_tick);
  }
  owed = std::min(owed, max_per_tick);
  if (limit_ != 0) owed = std::min(owed, limit_ - emitted_);
  for (std::uint64_t i = 0; i < owed; ++i) emit_one(now);
}

void main_site_flow::emit_one(const fix::session_time& now) {
  if (ex_.virtual_clock()) ex_.advance_clock(clock(), now);
  // Drop orders that reached a final state elsewhere (IRRA cancelled them).
  while (!live_.empty()) {
    const std::size_t i = below(live_.size());
    if (!ex_.book().at(live_[i]).is_final()) {
      if (live_.size() >= max_live || below(100) >= 30) return advance(i, now);
      break;
    }
    live_[i] = live_.back();
    live_.pop_back();
  }
  new_order(now);
}

void main_site_flow::new_order(const fix::session_time& now) {
  const market& m = ex_.prices();
  sim_order o;
  o.origin = order_origin::main_site;
  o.client = static_cast<std::uint32_t>(below(ex_.dump().clients.size()));
  o.instrument = static_cast<std::uint32_t>(below(m.size()));
  const domain::Instrument& in = m.instrument(o.instrument);
  o.product = in.segment == domain::Segment::eq ? eq_products[below(3)] : fo_products[below(2)];
  o.side = below(2) == 0 ? '1' : '2';
  const std::int64_t lot = in.trades_in_lots() && in.lot_size > 0 ? in.lot_size : 1;
  const std::int64_t max_lots = std::max<std::int64_t>(1, in.max_order_qty() / lot);
  o.qty = lot * (1 + static_cast<std::int64_t>(below(std::min<std::int64_t>(max_lots, 10))));
  const std::int64_t last = m.last(o.instrument);
  const std::uint64_t kind = below(100);
  if (kind < 4) {
    // The main site's RMS or the exchange refused it.
    o.ord_type = '2';
    o.price = last;
    ex_.reject_order(o, {}, below(2) ? "RMS: insufficient margin" : "price outside the band", 99,
                     now);
    ++emitted_;
    return;
  }
  if (kind < 34) {
    o.ord_type = '1';
  } else {
    o.ord_type = '2';
    const std::int64_t ticks = static_cast<std::int64_t>(below(5));
    o.price = std::clamp(last + (o.buy() ? ticks : -ticks) * in.tick_size, m.lowest(o.instrument),
                         m.highest(o.instrument));
  }
  const bool rest = o.ord_type == '2' && kind >= 94 && resting_ < max_resting;
  if (rest) {
    // Far from the market, to stay open all day (square-off-all cancels such orders).
    o.price = o.buy() ? m.lowest(o.instrument) : m.highest(o.instrument);
  }
  const std::uint32_t n = ex_.accept_order(o, {}, now);
  ++emitted_;
  if (rest) {
    ++resting_;
  } else {
    live_.push_back(n);
  }
}

void main_site_flow::advance(std::size_t live_index, const fix::session_time& now) {
  const std::uint32_t n = live_[live_index];
  const sim_order& o = ex_.book().at(n);
  const bool finished = [&] {
    if (below(100) < 6) {
      ex_.cancel(n, {}, false, now);
      return true;
    }
    const domain::Instrument& in = ex_.prices().instrument(o.instrument);
    const std::int64_t lot = in.trades_in_lots() && in.lot_size > 0 ? in.lot_size : 1;
    const std::int64_t lots_left = o.leaves() / lot;
    const std::int64_t lots =
        below(2) == 0 ? lots_left : 1 + static_cast<std::int64_t>(below(lots_left));
    const std::int64_t last = ex_.prices().last(o.instrument);
    // At the last price, or at the limit when the market is on the wrong side of it.
    const std::int64_t price = o.ord_type == '1' ? last
                               : o.buy()         ? std::min(last, o.price)
                                                 : std::max(last, o.price);
    ex_.fill(n, lots * lot, price, now);
    return ex_.book().at(n).is_final();
  }();
  ++emitted_;
  if (finished) {
    live_[live_index] = live_.back();
    live_.pop_back();
  }
}

}  // namespace irra::sim
