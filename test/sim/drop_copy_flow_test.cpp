// The main site's day on the drop copy, and the totals a test compares IRRA with.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "sim_fixture.hpp"

using namespace irra::sim::test;
using namespace std::chrono_literals;
namespace fix = irra::fix;

namespace {

using position_map = std::map<std::tuple<std::string, std::string, std::string>, std::int64_t>;

position_map dump_positions() {
  return {{{"C000001", "NSE:RELIANCE", "CNC"}, 10},
          {{"C000002", "NSE:NIFTY24DEC24000CE", "NRML"}, -50}};
}

void apply(position_map& p, const fix::execution_report& r) {
  if (r.exec_type != 'F') return;
  const std::string instrument = std::string(r.security_exchange) + ":" + std::string(r.symbol);
  auto& q = p[{std::string(r.account), instrument, std::string(r.product)}];
  q += r.side == '1' ? *r.last_qty : -*r.last_qty;
}

position_map state_positions(const nlohmann::json& state) {
  position_map p;
  for (const auto& row : state.at("positions")) {
    p[{row.at("account"), row.at("instrument"), row.at("product")}] =
        row.at("net_qty").get<std::int64_t>();
  }
  return p;
}

void drop_flat(position_map& p) {
  std::erase_if(p, [](const auto& kv) { return kv.second == 0; });
}

// A message without its session envelope (BeginString, BodyLength, MsgSeqNum, CompIDs,
// SendingTime, PossDupFlag, OrigSendingTime, CheckSum): what the exchange reported.
std::string report_body(std::string_view raw) {
  std::string out;
  while (!raw.empty()) {
    const auto end = raw.find('\x01');
    const std::string_view field = raw.substr(0, end);
    const std::string_view tag = field.substr(0, field.find('='));
    static const std::set<std::string_view> envelope = {"8",  "9",  "10", "34", "43",
                                                        "49", "52", "56", "97", "122"};
    if (!envelope.count(tag)) out.append(field).append("|");
    if (end == std::string_view::npos) break;
    raw.remove_prefix(end + 1);
  }
  return out;
}

}  // namespace

TEST_CASE("with a flow count K the drop copy gets exactly K main-site reports, unique ExecIDs",
          "[sim][flow]") {
  constexpr std::size_t k = 3000;
  running_sim sim([](irra::sim::sim_options& o) {
    o.flow_rate = 20000;
    o.flow_count = k;
  });
  fix_client dc(sim.fix_port(), "EXCH-DC");
  REQUIRE(dc.logon());
  REQUIRE(dc.wait_for([&] { return dc.received().size() >= k; }, 20s));
  dc.wait_for([] { return false; }, 300ms);  // nothing more may come
  const auto reports = dc.reports();
  REQUIRE(reports.size() == k);
  REQUIRE(dc.received().size() == k);

  std::set<std::string_view> exec_ids;
  std::set<std::string_view> accounts;
  std::map<char, int> exec_types;
  std::map<std::string_view, std::int64_t> filled;  // by OrderID
  std::map<std::string_view, std::int64_t> order_qty;
  for (const auto& r : reports) {
    exec_ids.insert(r.exec_id);
    accounts.insert(r.account);
    ++exec_types[r.exec_type];
    order_qty[r.order_id] = r.order_qty;
    if (r.exec_type == 'F') {
      filled[r.order_id] += *r.last_qty;
      CHECK(r.cum_qty == filled[r.order_id]);
      CHECK(r.leaves_qty == r.order_qty - r.cum_qty);
    }
  }
  CHECK(exec_ids.size() == k);
  CHECK(accounts.count("C000002") == 1);  // ineligible clients trade too
  CHECK(exec_types['0'] > 0);
  CHECK(exec_types['F'] > 0);
  CHECK(exec_types['4'] > 0);
  CHECK(exec_types['8'] > 0);
  for (const auto& [order, qty] : filled) CHECK(qty <= order_qty[order]);

  const auto state =
      nlohmann::json::parse(http_call(sim.http_port(), "GET", "/control/state").body);
  CHECK(state.at("flow").at("emitted") == k);
  CHECK(state.at("flow").at("done") == true);
  CHECK(state.at("sessions").at("dc").at("app_messages_sent") == k);
}

TEST_CASE("/control/state positions equal the dump plus every fill sent, and match the journal",
          "[sim][flow]") {
  running_sim sim([](irra::sim::sim_options& o) {
    o.flow_rate = 5000;
    o.flow_count = 1500;
  });
  fix_client dc(sim.fix_port(), "EXCH-DC");
  fix_client oe(sim.fix_port(), "EXCH-OE");
  REQUIRE(dc.logon());
  REQUIRE(oe.logon());
  REQUIRE(oe.send(reliance_order("J1", '2', 40, std::nullopt)));
  REQUIRE(dc.wait_for([&] { return dc.received().size() >= 1500 + 2; }, 20s));
  dc.wait_for([] { return false; }, 300ms);

  position_map expected = dump_positions();
  for (const auto& r : dc.reports()) apply(expected, r);
  drop_flat(expected);
  const auto state =
      nlohmann::json::parse(http_call(sim.http_port(), "GET", "/control/state").body);
  CHECK(state_positions(state) == expected);
  CHECK(state.at("orders_received") == 1);

  // The journal, once flushed, says the same: every report sent on the drop copy.
  REQUIRE(dc.wait_for(
      [&] {
        std::ifstream in(sim.journal_path());
        std::size_t lines = 0;
        for (std::string line; std::getline(in, line);)
          lines += line.find("\"session\":\"dc\"") != std::string::npos;
        return lines == dc.received().size();
      },
      3s));
  position_map journal = dump_positions();
  std::ifstream in(sim.journal_path());
  std::size_t oe_received = 0;
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j.at("dir") == "received") {
      ++oe_received;
      continue;
    }
    if (j.at("session") != "dc" || j.at("exec_type") != "F") continue;
    auto& q = journal[{j.at("account"), j.at("instrument"), j.at("product")}];
    q += j.at("side") == "1" ? j.at("last_qty").get<std::int64_t>()
                             : -j.at("last_qty").get<std::int64_t>();
  }
  drop_flat(journal);
  CHECK(journal == expected);
  CHECK(oe_received == 1);
}

TEST_CASE("a main-site order can be cancelled through order entry", "[sim][flow]") {
  running_sim sim([](irra::sim::sim_options& o) {
    o.flow_rate = 5000;
    o.flow_count = 400;
  });
  fix_client dc(sim.fix_port(), "EXCH-DC");
  fix_client oe(sim.fix_port(), "EXCH-OE");
  REQUIRE(dc.logon());
  REQUIRE(oe.logon());
  REQUIRE(dc.wait_for([&] { return dc.received().size() >= 400; }, 20s));
  // The last report of every order: find one still open.
  std::map<std::string, fix::execution_report> last;
  for (const auto& r : dc.reports()) last[std::string(r.order_id)] = r;
  const auto open = std::find_if(last.begin(), last.end(), [](const auto& kv) {
    return kv.second.ord_status == '0' || kv.second.ord_status == '1';
  });
  REQUIRE(open != last.end());
  const fix::execution_report target = open->second;
  fix::order_cancel_request cancel;
  cancel.orig_cl_ord_id = target.cl_ord_id;
  cancel.cl_ord_id = "SQ-1";
  cancel.order_id = target.order_id;
  cancel.account = target.account;
  cancel.symbol = target.symbol;
  cancel.security_exchange = target.security_exchange;
  cancel.side = target.side;
  cancel.order_qty = target.order_qty;
  cancel.transact_time =
      std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
  REQUIRE(oe.send(cancel));
  REQUIRE(oe.wait_for([&] { return !oe.reports().empty(); }));
  const auto confirm = oe.reports().front();
  CHECK(confirm.exec_type == '4');
  CHECK(confirm.order_id == target.order_id);
  CHECK(confirm.cl_ord_id == "SQ-1");
  CHECK(confirm.orig_cl_ord_id == target.cl_ord_id);
  REQUIRE(dc.wait_for([&] { return dc.reports().back().exec_id == confirm.exec_id; }));
}

TEST_CASE("with a virtual clock a seeded day replays identically whatever the reader does",
          "[sim][flow]") {
  constexpr std::size_t k = 4000;
  constexpr std::uint64_t rate = 20000;
  const auto tune = [](irra::sim::sim_options& o) {
    o.flow_rate = rate;
    o.flow_count = k;
    o.seed = 7;
    o.walk_ms = 5;  // a step every 100 reports: the prices move
    o.virtual_clock = true;
  };
  // One reader from the first report to the last.
  std::vector<std::string> clean;
  std::vector<fix::execution_report> reports;
  running_sim first(tune);
  fix_client reader(first.fix_port(), "EXCH-DC");
  REQUIRE(reader.logon());
  REQUIRE(reader.wait_for([&] { return reader.received().size() >= k; }, 20s));
  for (const auto& m : reader.received()) clean.push_back(report_body(m));
  reports = reader.reports();

  // Another run: the reader goes away a third of the way in, stays away a while and
  // comes back for the rest (replayed on its ResendRequest, then new).
  std::vector<std::string> interrupted;
  running_sim second(tune);
  std::uint64_t next_in = 0;
  std::uint64_t next_out = 0;
  {
    fix_client dc(second.fix_port(), "EXCH-DC");
    REQUIRE(dc.logon());
    REQUIRE(dc.wait_for([&] { return dc.received().size() >= k / 3; }, 20s));
    for (const auto& m : dc.received()) interrupted.push_back(report_body(m));
    next_in = dc.session().next_in_seq();
    next_out = dc.session().next_out_seq();
  }
  std::this_thread::sleep_for(100ms);
  fix_client dc(second.fix_port(), "EXCH-DC");
  dc.restore(next_in, next_out);
  REQUIRE(dc.logon(false));
  REQUIRE(dc.wait_for([&] { return interrupted.size() + dc.received().size() >= k; }, 20s));
  for (const auto& m : dc.received()) interrupted.push_back(report_body(m));

  REQUIRE(clean.size() == k);
  CHECK(interrupted == clean);

  // TransactTime: report i at i / rate s after 09:15 IST of the trading date (2024-12-02),
  // on the wire in milliseconds; and the walk moved the prices of the fills.
  using namespace std::chrono;
  const auto open = sys_days{2024y / December / 2} + 3h + 45min;
  std::set<std::int64_t> fill_prices;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const auto expected = floor<milliseconds>(open + nanoseconds(i * 1'000'000'000 / rate));
    CHECK(reports[i].transact_time == expected);
    if (reports[i].exec_type == 'F' && reports[i].symbol == "RELIANCE")
      fill_prices.insert(*reports[i].last_px);
  }
  CHECK(fill_prices.size() > 5);
}

// Not run by CTest (hidden tag): the drop copy's top speed, reader on the same machine.
// ./irra_sim_tests "[bench]"
TEST_CASE("drop-copy flow throughput", "[.][bench]") {
  constexpr std::size_t k = 2'000'000;
  for (const bool with_journal : {false, true}) {
    running_sim sim([&](irra::sim::sim_options& o) {
      o.flow_rate = 50'000'000;  // as fast as it goes
      o.flow_count = k;
      if (!with_journal) o.journal.clear();
    });
    fix_client dc(sim.fix_port(), "EXCH-DC");
    dc.keep_messages = false;
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(dc.logon());
    REQUIRE(dc.wait_for([&] { return dc.application_count() >= k; }, 120s));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WARN("drop copy" << (with_journal ? " with journal: " : ": ") << k << " reports in " << seconds
                     << " s = " << k / seconds << " reports/s");
  }
}
