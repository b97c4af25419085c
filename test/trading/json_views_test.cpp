// The REST objects' prices: JSON numbers in rupees with at most two decimals, exact.
#include "irra/trading/json_views.hpp"

#include <catch2/catch.hpp>
#include <random>

#include "engine_env.hpp"

using namespace irra::domain;
using namespace irra::trading;

namespace {

// "-?digits(.d|.dd)?": a number of rupees with at most two decimals.
bool money_shape(const std::string& t) {
  std::size_t i = t.size() > 0 && t[0] == '-' ? 1 : 0;
  const std::size_t digits_from = i;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  if (i == digits_from) return false;
  if (i == t.size()) return true;
  if (t[i] != '.') return false;
  const std::size_t decimals = t.size() - i - 1;
  if (decimals < 1 || decimals > 2) return false;
  for (++i; i < t.size(); ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  return true;
}

bool prints_exactly(Paise paise) {
  const std::string text = rupees(paise).dump();
  if (!money_shape(text)) return false;
  // Parsed back as decimal text, it is the same number of paise.
  const auto back = parse_rupees(text);
  return back && *back == paise;
}

}  // namespace

TEST_CASE("prices print as rupees with at most two decimals and no drift") {
  CHECK(rupees(245005).dump() == "2450.05");
  CHECK(rupees(245000).dump() == "2450");
  CHECK(rupees(-5).dump() == "-0.05");
  CHECK(rupees(10).dump() == "0.1");
  for (Paise p = -200000; p <= 200000; ++p) {
    if (!prints_exactly(p)) FAIL("paise " << p << " printed as " << rupees(p).dump());
  }
  std::mt19937_64 rng(42);
  // Up to 9e15 paise (90 lakh crore rupees): beyond any price or P&L of one client.
  std::uniform_int_distribution<Paise> big(-9'000'000'000'000'000, 9'000'000'000'000'000);
  for (int i = 0; i < 200000; ++i) {
    const Paise p = big(rng) / 1000;
    if (!prints_exactly(p)) FAIL("paise " << p << " printed as " << rupees(p).dump());
  }
}

TEST_CASE("an order object carries exactly the contract's fields") {
  Order o;
  o.order_id = "IR20241202-1";
  o.cl_ord_id = o.order_id;
  o.ucc = "C1";
  o.instrument_id = "NSE:RELIANCE";
  o.side = Side::sell;
  o.qty = 10;
  o.price = 244995;
  o.source = OrderSource::backup;
  o.placed_at = 1'733'130'900'000'000;
  o.updated_at = o.placed_at;
  const auto j = order_json(o);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{"exchange_order_id", "filled_qty", "instrument",
                                         "order_id", "order_type", "placed_at", "price", "product",
                                         "qty", "reason", "side", "source", "status",
                                         "updated_at"});
  CHECK(j["exchange_order_id"].is_null());
  CHECK(j["price"].dump() == "2449.95");
  CHECK(j["placed_at"] == "2024-12-02T09:15:00.000000Z");
  CHECK(j["status"] == "PENDING");
}
