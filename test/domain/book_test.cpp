#include "irra/domain/book.hpp"

#include <catch2/catch.hpp>

#include "report_builder.hpp"

using namespace irra::domain;
using namespace irra::domain::testing;

namespace {
const PositionKey rel{"UCC1", "NSE:RELIANCE", Product::mis};

Order backup_sell(std::string cl_ord_id, Qty qty, std::string ucc = "UCC1") {
  Order o;
  o.cl_ord_id = std::move(cl_ord_id);
  o.ucc = std::move(ucc);
  o.instrument_id = "NSE:RELIANCE";
  o.product = Product::mis;
  o.side = Side::sell;
  o.qty = qty;
  o.price = 244000;
  o.order_type = OrderType::limit;
  o.status = OrderStatus::pending;
  o.source = OrderSource::backup;
  o.origin = Origin::investor;
  return o;
}
}  // namespace

TEST_CASE("start-of-day loading refuses duplicate instruments, clients and positions", "[book]") {
  Book book("2024-12-02");
  CHECK(book.add_instrument(reliance()));
  CHECK_FALSE(book.add_instrument(reliance()));
  CHECK(book.add_client(Client{"UCC1", "ABCDE1234F", "A", "9999912345", "a@x.in", true}));
  CHECK_FALSE(book.add_client(Client{"UCC1", "", "", "", "", true}));
  CHECK(book.add_carried_forward(rel, 100, 240000));
  CHECK_FALSE(book.add_carried_forward(rel, 5, 1));
  REQUIRE(book.instrument("NSE:RELIANCE") != nullptr);
  CHECK(book.instrument("NSE:TCS") == nullptr);
  REQUIRE(book.client("UCC1") != nullptr);
  CHECK(book.client("UCC1")->pan == "ABCDE1234F");
  REQUIRE(book.position(rel) != nullptr);
  CHECK(book.position(rel)->net_qty() == 100);
  CHECK(book.position(rel)->avg_price() == 240000);
  CHECK(book.squareoff_qty(rel) == 100);
}

TEST_CASE("a main-site order is mirrored from its first report", "[book]") {
  Book book("2024-12-02");
  const auto out =
      book.apply(report("E1", "1100", ExecType::new_, OrderStatus::open, Side::buy, 50));
  REQUIRE(out.applied());
  CHECK(out.order_created);
  CHECK_FALSE(out.trade.has_value());
  CHECK_FALSE(out.position.has_value());
  CHECK(out.order.order_id == "1100");
  CHECK(out.order.exchange_order_id == "1100");
  CHECK(out.order.source == OrderSource::main);
  CHECK(out.order.status == OrderStatus::open);
  const Order* o = book.order("1100");
  REQUIRE(o != nullptr);
  CHECK(o->qty == 50);
  CHECK(o->price == 245000);
  CHECK(book.order_by_exchange_id("1100") == o);
  CHECK(book.orders_of("UCC1").size() == 1);
  CHECK(book.orders_of("UCC2").empty());
}

TEST_CASE("an order first seen already cancelled is mirrored as cancelled", "[book]") {
  Book book("2024-12-02");
  auto r = report("E1", "1100", ExecType::cancelled, OrderStatus::cancelled, Side::buy, 50);
  r.text = "cancelled by user";
  const auto out = book.apply(r);
  REQUIRE(out.applied());
  CHECK(out.order.status == OrderStatus::cancelled);
  CHECK(out.order.reason == "cancelled by user");
}

TEST_CASE("a trade report appends a trade and moves the position", "[book]") {
  Book book("2024-12-02");
  REQUIRE(
      book.apply(report("E1", "1100", ExecType::new_, OrderStatus::open, Side::buy, 50)).applied());
  const auto out = book.apply(fill("E2", "1100", Side::buy, 50, 20, 245100, 20));
  REQUIRE(out.applied());
  REQUIRE(out.trade.has_value());
  CHECK(out.trade->trade_id == "E2");
  CHECK(out.trade->order_id == "1100");
  CHECK(out.trade->qty == 20);
  CHECK(out.trade->price == 245100);
  REQUIRE(out.position.has_value());
  CHECK(*out.position == rel);
  CHECK(out.order.status == OrderStatus::partially_filled);
  CHECK(out.order.filled_qty == 20);
  CHECK(book.position(rel)->net_qty() == 20);
  CHECK(book.trades_of("UCC1").size() == 1);

  REQUIRE(book.apply(fill("E3", "1100", Side::buy, 50, 30, 245000, 50)).applied());
  CHECK(book.order("1100")->status == OrderStatus::filled);
  CHECK(book.position(rel)->net_qty() == 50);
  CHECK(book.trades_of("UCC1").size() == 2);
}

TEST_CASE("an order first seen through a complete fill is mirrored as filled", "[book]") {
  Book book("2024-12-02");
  const auto out = book.apply(fill("E1", "1100", Side::sell, 40, 40, 245000, 40));
  REQUIRE(out.applied());
  CHECK(out.order_created);
  CHECK(out.order.status == OrderStatus::filled);
  CHECK(book.position(rel)->net_qty() == -40);
}

TEST_CASE("a report with an ExecID already applied is a duplicate and changes nothing", "[book]") {
  Book book("2024-12-02");
  const auto f = fill("E1", "1100", Side::buy, 50, 20, 245100, 20);
  REQUIRE(book.apply(f).applied());
  const auto again = book.apply(f);
  CHECK(again.status == ApplyStatus::duplicate);
  CHECK(book.position(rel)->net_qty() == 20);
  CHECK(book.trades().size() == 1);
  CHECK(book.order("1100")->filled_qty == 20);
  CHECK(book.has_seen("E1"));
}

TEST_CASE("ExecIDs are de-duplicated per trading date", "[book]") {
  Book book("2024-12-02");
  REQUIRE(
      book.apply(report("E1", "1100", ExecType::new_, OrderStatus::open, Side::buy, 50)).applied());
  book.start_trading_date("2024-12-02");  // same day: still remembered
  CHECK(book.has_seen("E1"));
  book.start_trading_date("2024-12-03");
  CHECK(book.trading_date() == "2024-12-03");
  CHECK_FALSE(book.has_seen("E1"));
  CHECK(
      book.apply(report("E1", "2200", ExecType::new_, OrderStatus::open, Side::buy, 10)).applied());
}

TEST_CASE("a fill whose cum_qty disagrees with the applied fills is refused", "[book]") {
  Book book("2024-12-02");
  REQUIRE(book.apply(fill("E1", "1100", Side::buy, 50, 20, 245100, 20)).applied());
  // The exchange says 45 in total, but 20 + 10 were applied: a fill is missing.
  const auto out = book.apply(fill("E2", "1100", Side::buy, 50, 10, 245100, 45));
  CHECK(out.status == ApplyStatus::refused);
  CHECK_FALSE(out.reason.empty());
  CHECK(book.position(rel)->net_qty() == 20);
  CHECK(book.order("1100")->filled_qty == 20);
  CHECK(book.trades().size() == 1);
  CHECK_FALSE(book.has_seen("E2"));  // not applied, so not remembered either

  // An unknown order whose first fill says more was filled before is refused too.
  CHECK(book.apply(fill("E3", "1200", Side::buy, 50, 10, 245100, 30)).status ==
        ApplyStatus::refused);
  CHECK(book.order("1200") == nullptr);
  // So is a cancel that reports fills we never saw.
  auto c = report("E4", "1100", ExecType::cancelled, OrderStatus::cancelled, Side::buy, 50);
  c.cum_qty = 30;
  CHECK(book.apply(c).status == ApplyStatus::refused);
  CHECK(book.order("1100")->status == OrderStatus::partially_filled);
}

TEST_CASE("a fill above the order quantity is refused", "[book]") {
  Book book("2024-12-02");
  REQUIRE(book.apply(fill("E1", "1100", Side::buy, 50, 40, 245100, 40)).applied());
  CHECK(book.apply(fill("E2", "1100", Side::buy, 50, 20, 245100, 60)).status ==
        ApplyStatus::refused);
  CHECK(book.position(rel)->net_qty() == 40);
}

TEST_CASE("reports for a final order are refused", "[book]") {
  Book book("2024-12-02");
  REQUIRE(
      book.apply(report("E1", "1100", ExecType::new_, OrderStatus::open, Side::buy, 50)).applied());
  REQUIRE(
      book.apply(report("E2", "1100", ExecType::cancelled, OrderStatus::cancelled, Side::buy, 50))
          .applied());
  CHECK(book.apply(fill("E3", "1100", Side::buy, 50, 10, 245000, 10)).status ==
        ApplyStatus::refused);
  CHECK(book.apply(report("E4", "1100", ExecType::new_, OrderStatus::open, Side::buy, 50)).status ==
        ApplyStatus::refused);
  CHECK(book.order("1100")->status == OrderStatus::cancelled);
  CHECK(book.position(rel) == nullptr);
}

TEST_CASE("a report that names another account or side for a known order is refused", "[book]") {
  Book book("2024-12-02");
  REQUIRE(
      book.apply(report("E1", "1100", ExecType::new_, OrderStatus::open, Side::buy, 50)).applied());
  CHECK(book.apply(fill("E2", "1100", Side::buy, 50, 10, 245000, 10, "UCC2")).status ==
        ApplyStatus::refused);
  CHECK(book.apply(fill("E3", "1100", Side::sell, 50, 10, 245000, 10)).status ==
        ApplyStatus::refused);
  CHECK(book.trades().empty());
}

TEST_CASE("reports without ExecID, account or instrument are refused", "[book]") {
  Book book("2024-12-02");
  auto r = report("", "1100", ExecType::new_, OrderStatus::open, Side::buy, 50);
  CHECK(book.apply(r).status == ApplyStatus::refused);
  r.exec_id = "E1";
  r.ucc.clear();
  CHECK(book.apply(r).status == ApplyStatus::refused);
  r.ucc = "UCC1";
  r.instrument_id.clear();
  CHECK(book.apply(r).status == ApplyStatus::refused);
  r.instrument_id = "NSE:RELIANCE";
  r.order_id.clear();
  CHECK(book.apply(r).status == ApplyStatus::refused);  // unknown order, no OrderID
  r.order_id = "1100";
  r.order_qty = 0;
  CHECK(book.apply(r).status == ApplyStatus::refused);
  CHECK(book.orders().empty());
}

TEST_CASE("an exchange reject without OrderID is kept in the order book", "[book]") {
  Book book("2024-12-02");
  auto r = report("E9", "", ExecType::rejected, OrderStatus::rejected, Side::buy, 50);
  r.text = "price outside band";
  const auto out = book.apply(r);
  REQUIRE(out.applied());
  CHECK(out.order.status == OrderStatus::rejected);
  CHECK(out.order.reason == "price outside band");
  CHECK(book.orders_of("UCC1").size() == 1);
}

TEST_CASE("a backup order is matched by ClOrdID until acknowledged, then by OrderID", "[book]") {
  Book book("2024-12-02");
  REQUIRE(book.add_carried_forward(rel, 100, 240000));
  REQUIRE(book.add_pending_order(backup_sell("IRRA-1", 60)));
  const Order* o = book.order("IRRA-1");
  REQUIRE(o != nullptr);
  CHECK(o->order_id == "IRRA-1");
  CHECK(book.order_by_cl_ord_id("IRRA-1") == o);
  CHECK(o->status == OrderStatus::pending);
  CHECK(book.pending_exit_qty(rel) == 60);
  CHECK(book.squareoff_qty(rel) == 40);

  auto ack = report("E1", "9000", ExecType::new_, OrderStatus::open, Side::sell, 60);
  ack.cl_ord_id = "IRRA-1";
  const auto out = book.apply(ack);
  REQUIRE(out.applied());
  CHECK_FALSE(out.order_created);
  CHECK(out.order.order_id == "IRRA-1");
  CHECK(out.order.exchange_order_id == "9000");
  CHECK(out.order.source == OrderSource::backup);
  CHECK(out.order.origin == Origin::investor);
  CHECK(book.order_by_exchange_id("9000") == o);
  CHECK(book.order("9000") == nullptr);  // order_id of a backup order is its ClOrdID

  // The fill names only the exchange's OrderID (as a drop copy might).
  auto f = fill("E2", "9000", Side::sell, 60, 60, 244000, 60);
  f.cl_ord_id.clear();
  const auto filled = book.apply(f);
  REQUIRE(filled.applied());
  CHECK(filled.trade->order_id == "IRRA-1");
  CHECK(book.position(rel)->net_qty() == 40);
  CHECK(book.pending_exit_qty(rel) == 0);
  CHECK(book.squareoff_qty(rel) == 40);
  CHECK(book.orders_of("UCC1").size() == 1);
}

TEST_CASE("a cancel IRRA requested is matched through OrigClOrdID", "[book]") {
  Book book("2024-12-02");
  REQUIRE(book.add_carried_forward(rel, 100, 240000));
  REQUIRE(book.add_pending_order(backup_sell("IRRA-1", 60)));
  auto c = report("E1", "", ExecType::cancelled, OrderStatus::cancelled, Side::sell, 60);
  c.cl_ord_id = "IRRA-1-X";  // the cancel request's own ClOrdID
  c.orig_cl_ord_id = "IRRA-1";
  REQUIRE(book.apply(c).applied());
  CHECK(book.order("IRRA-1")->status == OrderStatus::cancelled);
  CHECK(book.squareoff_qty(rel) == 100);
}

TEST_CASE("a backup order's OrderID may not change once acknowledged", "[book]") {
  Book book("2024-12-02");
  REQUIRE(book.add_pending_order(backup_sell("IRRA-1", 60)));
  auto ack = report("E1", "9000", ExecType::new_, OrderStatus::open, Side::sell, 60);
  ack.cl_ord_id = "IRRA-1";
  REQUIRE(book.apply(ack).applied());
  auto other = report("E2", "9001", ExecType::cancelled, OrderStatus::cancelled, Side::sell, 60);
  other.cl_ord_id = "IRRA-1";
  CHECK(book.apply(other).status == ApplyStatus::refused);
  CHECK(book.order("IRRA-1")->status == OrderStatus::open);
}

TEST_CASE("registering a backup order refuses duplicates and incomplete orders", "[book]") {
  Book book("2024-12-02");
  REQUIRE(book.add_pending_order(backup_sell("IRRA-1", 60)));
  CHECK(book.add_pending_order(backup_sell("IRRA-1", 10)).code == OrderErrc::duplicate_order);
  CHECK(book.add_pending_order(backup_sell("", 10)).code == OrderErrc::invalid_order);
  CHECK(book.add_pending_order(backup_sell("IRRA-2", 0)).code == OrderErrc::invalid_quantity);
  Order main = backup_sell("IRRA-3", 10);
  main.source = OrderSource::main;
  CHECK(book.add_pending_order(main).code == OrderErrc::invalid_order);
  Order open = backup_sell("IRRA-4", 10);
  open.status = OrderStatus::open;
  CHECK(book.add_pending_order(open).code == OrderErrc::invalid_order);
  CHECK(book.orders().size() == 1);
}

TEST_CASE("a backup order that could not be sent is rejected and stops counting", "[book]") {
  Book book("2024-12-02");
  REQUIRE(book.add_carried_forward(rel, 100, 240000));
  REQUIRE(book.add_pending_order(backup_sell("IRRA-1", 60)));
  CHECK(book.squareoff_qty(rel) == 40);
  REQUIRE(book.reject_pending("IRRA-1", "order-entry session down", 77));
  const Order* o = book.order("IRRA-1");
  CHECK(o->status == OrderStatus::rejected);
  CHECK(o->reason == "order-entry session down");
  CHECK(o->updated_at == 77);
  CHECK(book.squareoff_qty(rel) == 100);
  CHECK(book.reject_pending("IRRA-1", "again", 78).code == OrderErrc::final_state);
  CHECK_FALSE(book.reject_pending("nope", "x", 1));
}

TEST_CASE("pending exit counts orders of both sources on the reducing side only", "[book]") {
  Book book("2024-12-02");
  REQUIRE(book.add_carried_forward(rel, 100, 240000));
  // Main site: a sell of 30 (exit) and a buy of 20 (adds): only the sell counts.
  REQUIRE(book.apply(report("E1", "1100", ExecType::new_, OrderStatus::open, Side::sell, 30))
              .applied());
  REQUIRE(
      book.apply(report("E2", "1101", ExecType::new_, OrderStatus::open, Side::buy, 20)).applied());
  // Another product or instrument does not count either.
  auto nrml = report("E3", "1102", ExecType::new_, OrderStatus::open, Side::sell, 10);
  nrml.product = Product::nrml;
  REQUIRE(book.apply(nrml).applied());
  REQUIRE(book.add_pending_order(backup_sell("IRRA-1", 50)));
  CHECK(book.pending_exit_qty(rel) == 80);
  CHECK(book.squareoff_qty(rel) == 20);

  // A partial fill of the main-site sell lowers both the position and its pending exit.
  REQUIRE(book.apply(fill("E4", "1100", Side::sell, 30, 10, 245000, 10)).applied());
  CHECK(book.position(rel)->net_qty() == 90);
  CHECK(book.pending_exit_qty(rel) == 70);
  CHECK(book.squareoff_qty(rel) == 20);

  // Over-pending (more exit orders than the position) never shows a negative squareoff.
  REQUIRE(book.add_pending_order(backup_sell("IRRA-2", 40)));
  CHECK(book.squareoff_qty(rel) == 0);
}

TEST_CASE("a flat or unknown position has nothing pending to exit", "[book]") {
  Book book("2024-12-02");
  CHECK(book.pending_exit_qty(rel) == 0);
  CHECK(book.squareoff_qty(rel) == 0);
  REQUIRE(book.apply(report("E1", "1100", ExecType::new_, OrderStatus::open, Side::sell, 30))
              .applied());
  CHECK(book.pending_exit_qty(rel) == 0);
}

TEST_CASE("a main-site modification updates quantity and price", "[book]") {
  Book book("2024-12-02");
  REQUIRE(
      book.apply(report("E1", "1100", ExecType::new_, OrderStatus::open, Side::buy, 50)).applied());
  REQUIRE(book.apply(fill("E2", "1100", Side::buy, 50, 20, 245000, 20)).applied());
  auto replaced =
      report("E3", "1100", ExecType::other, OrderStatus::partially_filled, Side::buy, 80);
  replaced.price = 244500;
  replaced.cum_qty = 20;
  REQUIRE(book.apply(replaced).applied());
  CHECK(book.order("1100")->qty == 80);
  CHECK(book.order("1100")->price == 244500);
  CHECK(book.order("1100")->leaves_qty() == 60);
  auto below = replaced;
  below.exec_id = "E4";
  below.order_qty = 10;  // below what was filled: impossible
  CHECK(book.apply(below).status == ApplyStatus::refused);
  CHECK(book.order("1100")->qty == 80);
}

TEST_CASE("queries list each client's positions, orders and trades only", "[book]") {
  Book book("2024-12-02");
  REQUIRE(book.apply(fill("E1", "1", Side::buy, 10, 10, 245000, 10, "A")).applied());
  REQUIRE(book.apply(fill("E2", "2", Side::buy, 10, 10, 245000, 10, "B")).applied());
  REQUIRE(book.apply(fill("E3", "3", Side::sell, 50, 50, 12000, 50, "A", "NSE:NIFTY24DEC24000CE"))
              .applied());
  CHECK(book.positions_of("A").size() == 2);
  CHECK(book.positions_of("B").size() == 1);
  CHECK(book.positions_of("C").empty());
  CHECK(book.orders_of("A").size() == 2);
  CHECK(book.trades_of("A").size() == 2);
  for (const Trade* t : book.trades_of("B")) CHECK(t->ucc == "B");
  CHECK(book.positions().size() == 3);
}

TEST_CASE("the last traded price is remembered per instrument", "[book]") {
  Book book;
  CHECK_FALSE(book.ltp("NSE:RELIANCE").has_value());
  book.set_ltp("NSE:RELIANCE", 245100);
  book.set_ltp("NSE:RELIANCE", 245200);
  CHECK(book.ltp("NSE:RELIANCE") == Paise{245200});
}

TEST_CASE("a backup order cannot expire before the exchange acknowledged it", "[book]") {
  Book book("2024-12-02");
  REQUIRE(book.add_pending_order(backup_sell("IRRA-1", 60)));
  auto expired = report("E1", "9000", ExecType::expired, OrderStatus::expired, Side::sell, 60);
  expired.cl_ord_id = "IRRA-1";
  const auto out = book.apply(expired);
  CHECK(out.status == ApplyStatus::refused);
  CHECK(book.order("IRRA-1")->status == OrderStatus::pending);
  CHECK(book.order("IRRA-1")->exchange_order_id.empty());
  CHECK(book.order_by_exchange_id("9000") == nullptr);
}

TEST_CASE("reports with negative or absurd quantities or prices are refused", "[book]") {
  Book book("2024-12-02");
  auto huge_fill = fill("E1", "1100", Side::buy, max_qty + 1, max_qty + 1, 245000, max_qty + 1);
  CHECK(book.apply(huge_fill).status == ApplyStatus::refused);
  auto huge_px = fill("E2", "1100", Side::buy, 10, 10, max_price + 1, 10);
  CHECK(book.apply(huge_px).status == ApplyStatus::refused);
  auto negative = report("E3", "1100", ExecType::new_, OrderStatus::open, Side::buy, 10);
  negative.price = -5;
  CHECK(book.apply(negative).status == ApplyStatus::refused);
  CHECK(book.orders().empty());
  CHECK(book.positions().empty());
  CHECK_FALSE(book.add_carried_forward(rel, max_qty + 1, 100));
  CHECK_FALSE(book.add_carried_forward(rel, 10, -1));
  CHECK(book.add_carried_forward(rel, -max_qty, max_price));
}
