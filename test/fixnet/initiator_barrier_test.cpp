// The durability barrier: an application message reaches the socket only once the
// caller's store says it is durable; nothing overtakes it.
#include <catch2/catch.hpp>

#include "initiator_fixture.hpp"
#include "irra/fix/messages.hpp"

using namespace irra::fixnet;
using namespace irra::fixnet::test;
using namespace std::chrono_literals;
namespace fix = irra::fix;
namespace tag = irra::fix::tag;

namespace {

std::uint64_t send_order(Initiator& initiator, std::string_view cl_ord_id) {
  fix::new_order_single order;
  order.cl_ord_id = cl_ord_id;
  order.account = "UCC1";
  order.symbol = "RELIANCE";
  order.security_exchange = "NSE";
  order.product = "MIS";
  order.side = '2';
  order.order_qty = 10;
  order.ord_type = '2';
  order.price = 245005;
  order.transact_time = utc_now();
  return initiator.send_application(fix::msg_type::new_order_single,
                                    [&](fix::writer& w) { return fix::encode_body(w, order); });
}

std::size_t index_of(const std::vector<received_message>& all, std::string_view type,
                     std::string_view test_req_id = {}) {
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].type() == type &&
        (test_req_id.empty() || all[i].get(tag::test_req_id) == test_req_id)) {
      return i;
    }
  }
  return all.size();
}

}  // namespace

TEST_CASE("the durability barrier holds an order's bytes, and what follows, until released",
          "[fixnet][initiator][barrier]") {
  std::uint64_t durable = 0;  // outlives the initiator
  initiator_fixture f;
  auto o = f.options(30s);
  o.durable_out_seq = [&] { return durable; };
  f.start(o);
  REQUIRE(f.wait_active());  // the Logon is an admin message: it was not held

  const std::uint64_t seq = send_order(*f.initiator, "C1");
  REQUIRE(seq == 2);
  CHECK(f.store.size() == 1);  // saved at once: the caller makes it durable
  run_for(f.io, 200ms);
  CHECK(f.exch.of_type("D").empty());
  CHECK(f.initiator->status().queued_bytes > 0);

  // The exchange's TestRequest is answered, but the Heartbeat queues behind the order.
  f.exch.send_admin("1", {{tag::test_req_id, "T1"}});
  run_for(f.io, 200ms);
  CHECK(f.exch.of_type("0").empty());

  durable = 1;  // not enough
  f.initiator->durability_advanced();
  run_for(f.io, 100ms);
  CHECK(f.exch.of_type("D").empty());

  durable = 2;
  f.initiator->durability_advanced();
  REQUIRE(run_until(f.io, [&] { return !f.exch.of_type("0").empty(); }));
  const auto& all = f.exch.received;
  REQUIRE(index_of(all, "D") < all.size());
  CHECK(index_of(all, "D") < index_of(all, "0", "T1"));
  CHECK(f.exch.of_type("D").at(0).seq() == 2);
  CHECK(f.exch.of_type("D").at(0).get(tag::cl_ord_id) == "C1");
  CHECK(f.initiator->status().queued_bytes == 0);
  CHECK(f.initiator->status().app_messages_out == 1);
}

TEST_CASE("without a barrier an order goes out at once", "[fixnet][initiator][barrier]") {
  initiator_fixture f;
  f.start(f.options(30s));
  REQUIRE(f.wait_active());
  REQUIRE(send_order(*f.initiator, "C1") == 2);
  REQUIRE(run_until(
      f.io, [&] { return !f.exch.of_type("D").empty(); }, 1s));
  CHECK(f.exch.of_type("D").at(0).get(tag::price) == "2450.05");
}

TEST_CASE("an order held at a disconnect is re-sent with PossDupFlag=Y only once durable",
          "[fixnet][initiator][barrier]") {
  std::uint64_t durable = 0;  // outlives the initiator
  initiator_fixture f;
  auto o = f.options(30s);
  o.durable_out_seq = [&] { return durable; };
  f.start(o);
  REQUIRE(f.wait_active());
  REQUIRE(send_order(*f.initiator, "C1") == 2);
  run_for(f.io, 100ms);

  f.exch.close();  // the held bytes are dropped with the connection
  REQUIRE(run_until(
      f.io, [&] { return f.exch.connections == 2 && f.phase() == initiator_phase::active; }));
  CHECK(f.exch.of_type("A").back().seq() == 3);
  f.exch.request_resend(2);  // the exchange saw 1 then 3: it asks for 2
  run_for(f.io, 200ms);
  CHECK(f.exch.of_type("D").empty());

  durable = 2;
  f.initiator->durability_advanced();
  REQUIRE(run_until(f.io, [&] { return !f.exch.of_type("D").empty(); }));
  run_for(f.io, 100ms);
  const auto orders = f.exch.of_type("D");
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].seq() == 2);
  CHECK(orders[0].get(tag::poss_dup_flag) == "Y");
  CHECK(orders[0].get(tag::cl_ord_id) == "C1");
  const auto fills = f.exch.of_type("4");  // the Logon's number is gap-filled after it
  REQUIRE(fills.size() == 1);
  CHECK(fills[0].get(tag::new_seq_no) == "4");
}

TEST_CASE("sending is refused while the session is not logged on", "[fixnet][initiator]") {
  initiator_fixture f;
  f.exch.answer_logon = false;
  f.start(f.options(30s));
  REQUIRE(run_until(f.io, [&] { return f.exch.of_type("A").size() == 1; }));
  CHECK_FALSE(f.initiator->can_send());
  CHECK(send_order(*f.initiator, "C1") == 0);
  CHECK(f.store.size() == 0);
}
