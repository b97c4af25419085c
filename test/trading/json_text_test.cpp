// The hand-written JSON text of the hot read paths parses to the same objects as the
// nlohmann-built REST objects, escapes what JSON needs escaped, and prints paise exactly.
#include "irra/trading/json_text.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>

#include "engine_env.hpp"
#include "irra/trading/json_views.hpp"

using namespace irra::domain;
using namespace irra::trading;
using nlohmann::json;

namespace {

std::string rupees_text(Paise p) {
  std::string out;
  append_rupees(out, p);
  return out;
}

std::string string_text(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

json position_text_json(const Book& book, const Position& p) {
  std::string out;
  append_position_json(out, book, p);
  return json::parse(out);
}

}  // namespace

TEST_CASE("json text prints paise as the same rupees as the JSON views") {
  CHECK(rupees_text(245005) == "2450.05");
  CHECK(rupees_text(245050) == "2450.5");
  CHECK(rupees_text(245000) == "2450");
  CHECK(rupees_text(-5) == "-0.05");
  CHECK(rupees_text(0) == "0");
  CHECK(rupees_text(std::numeric_limits<Paise>::min()) == "-92233720368547758.08");
  for (Paise p = -100000; p <= 100000; ++p) {
    if (rupees_text(p) != rupees(p).dump()) FAIL("paise " << p << ": " << rupees_text(p));
  }
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<Paise> big(-9'000'000'000'000'000, 9'000'000'000'000'000);
  for (int i = 0; i < 100000; ++i) {
    const Paise p = big(rng) / 1000;
    if (json::parse(rupees_text(p)) != rupees(p)) FAIL("paise " << p << ": " << rupees_text(p));
  }
}

TEST_CASE("json text escapes strings as JSON requires and replaces invalid UTF-8") {
  CHECK(string_text("NSE:RELIANCE") == "\"NSE:RELIANCE\"");
  CHECK(string_text("a\"b\\c") == R"("a\"b\\c")");
  CHECK(string_text("line\nbreak\ttab\x01") == R"("line\nbreak\ttab\u0001")");
  CHECK(string_text("\xE0\xA4\xB0\xE0\xA4\xBE\xE0\xA4\xAE") ==
        "\"\xE0\xA4\xB0\xE0\xA4\xBE\xE0\xA4\xAE\"");  // राम passes through
  CHECK(string_text("bad\xFFpart\xC3") == "\"bad\xEF\xBF\xBDpart\xEF\xBF\xBD\"");
  CHECK(string_text("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
  // Whatever the bytes, the text is JSON; valid UTF-8 comes back unchanged.
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 20000; ++i) {
    std::string s(static_cast<std::size_t>(byte(rng) % 12), '\0');
    for (auto& c : s) c = static_cast<char>(byte(rng));
    const auto text = string_text(s);
    const auto parsed = json::parse(text, nullptr, false);
    REQUIRE_FALSE(parsed.is_discarded());
    bool valid = true;
    try {
      (void)json(s).dump();
    } catch (const json::type_error&) {
      valid = false;
    }
    if (valid) CHECK(parsed.get<std::string>() == s);
  }
}

TEST_CASE("json text positions, orders and trades equal the REST objects") {
  Book book(test::trading_date);
  REQUIRE(book.add_instrument(test::reliance()));
  REQUIRE(book.add_instrument(test::nifty_call()));
  REQUIRE(book.add_client(Client{"C1", "ABCDE1234F", "Asha \"Q\" Rao", "9800000001",
                                 "asha@example.com", true}));
  REQUIRE(book.add_carried_forward(PositionKey{"C1", "NSE:RELIANCE", Product::mis}, 40, 244505));
  REQUIRE(book.add_carried_forward(PositionKey{"C1", "NSE:NIFTY24DEC24000CE", Product::nrml},
                                   -75, 12010));
  // A position in an instrument the Book does not know: its facts are null.
  REQUIRE(book.add_carried_forward(PositionKey{"C1", "NSE:GONE", Product::cnc}, 3, 100));
  REQUIRE(book.apply(test::new_report("E1", "O1", Side::sell, 10)).applied());
  REQUIRE(book.apply(test::fill_report("E2", "O1", Side::sell, 10, 4, 245010, 4)).applied());
  book.set_ltp("NSE:NIFTY24DEC24000CE", 11995);

  const auto positions = book.positions_of("C1");
  REQUIRE(positions.size() == 3);
  for (const auto* p : positions) {
    CHECK(position_text_json(book, *p) == position_json(book, *p));
  }
  for (const auto* o : book.orders_of("C1")) {
    std::string out;
    append_order_json(out, *o);
    CHECK(json::parse(out) == order_json(*o));
  }
  const auto trades = book.trades_of("C1");
  REQUIRE(trades.size() == 1);
  // IRRA's own orders say who placed them; main-site orders do not.
  int n = 0;
  for (const Origin origin : {Origin::investor, Origin::staff, Origin::bulk}) {
    Order o;
    o.order_id = "IR20241202-" + std::to_string(++n);
    o.cl_ord_id = o.order_id;
    o.ucc = "C1";
    o.instrument_id = "NSE:RELIANCE";
    o.side = Side::sell;
    o.qty = 5;
    o.price = 244995;
    o.source = OrderSource::backup;
    o.origin = origin;
    o.placed_at = 1'733'130'900'000'000;
    o.updated_at = o.placed_at;
    std::string text;
    append_order_json(text, o);
    const auto view = order_json(o);
    CHECK(json::parse(text) == view);
    CHECK(view["placed_by"] == std::string(to_string(origin)));
  }
  for (const auto* o : book.orders_of("C1")) CHECK_FALSE(order_json(*o).contains("placed_by"));
  std::string out;
  append_trade_json(out, *trades[0]);
  CHECK(json::parse(out) == trade_json(*trades[0]));
}
