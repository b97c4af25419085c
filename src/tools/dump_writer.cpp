#include "dump_writer.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

#include "client_factory.hpp"
#include "csv_sink.hpp"
#include "csv_text.hpp"
#include "det_rng.hpp"
#include "instrument_catalog.hpp"
#include "portfolio_factory.hpp"

namespace irra::tools {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

constexpr std::string_view clients_header = "ucc,pan,name,mobile,email,eligible";
constexpr std::string_view instruments_header =
    "instrument_id,exchange,segment,symbol,lot_size,tick_size,freeze_qty,lower_band,upper_band,"
    "prev_close";
constexpr std::string_view positions_header = "ucc,instrument_id,product,net_qty,avg_price";
constexpr std::string_view holdings_header = "ucc,instrument_id,qty,avg_price";
constexpr std::string_view funds_header = "ucc,opening_balance,margin_used,collateral";

std::string iso_date(year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::string iso_time(sys_seconds t) {
  const auto day = floor<days>(t);
  const hh_mm_ss hms{t - day};
  char buf[16];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02dZ", static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return iso_date(year_month_day{day}) + buf;
}

void append_position(std::string& out, std::string_view ucc, std::string_view instrument_id,
                     std::string_view product, std::int64_t qty, std::int64_t avg) {
  out.append(ucc).append(",").append(instrument_id).append(",").append(product).append(",");
  append_int(out, qty);
  out.push_back(',');
  append_paise(out, avg);
}

void write_instruments(const fs::path& file, const instrument_catalog& catalog,
                       nlohmann::ordered_json& files) {
  csv_sink sink(file, instruments_header);
  for (const instrument& in : catalog.all()) {
    std::string& r = sink.row();
    r.append(in.id).append(",").append(in.exchange).append(",");
    r.append(instrument_catalog::segment_name(in.seg)).append(",");
    append_text(r, in.symbol);
    r.push_back(',');
    append_int(r, in.lot_size);
    r.push_back(',');
    append_paise(r, in.tick);
    r.push_back(',');
    append_int(r, in.freeze_qty);
    for (const std::int64_t price : {in.lower_band, in.upper_band, in.prev_close}) {
      r.push_back(',');
      append_paise(r, price);
    }
    sink.end_row();
  }
  const auto rows = sink.data_rows();
  files[file.filename().string()] = {{"rows", rows}, {"sha256", sink.finish()}};
}

// Streams clients, positions, holdings and funds client by client, placing the requested
// defects. Breaking a row never draws from the generator, so everything else in a broken
// dump is byte-identical to the unbroken dump of the same seed.
class account_writer {
 public:
  account_writer(const dump_options& o, const instrument_catalog& catalog, break_plan& plan)
      : o_(o),
        catalog_(catalog),
        plan_(plan),
        clients_(o.out / "clients.csv", clients_header),
        positions_(o.out / "positions.csv", positions_header),
        holdings_(o.out / "holdings.csv", holdings_header),
        funds_(o.out / "funds.csv", plan.wants(break_kind::bad_header)
                                        ? break_plan::broken_funds_header
                                        : funds_header) {
    if (plan.wants(break_kind::bad_header))
      plan.report(break_kind::bad_header, "funds.csv", 1,
                  "header column 4 is \"colateral\", expected \"collateral\"");
  }

  void run(nlohmann::ordered_json& files) {
    det_rng rng(o_.seed);
    const client_factory people(o_.ineligible_pct);
    const portfolio_factory books(catalog_);
    client c;
    std::vector<position> pos;
    std::vector<holding> hold;
    for (std::int64_t i = 0; i < o_.clients; ++i) {
      people.make(i, rng, c);
      write_client(c);
      books.make_positions(i, o_.positions_per_client, rng, pos);
      for (const position& p : pos) write_position(c.ucc, p);
      books.make_holdings(o_.holdings_per_client, rng, hold);
      for (const holding& h : hold) write_holding(c.ucc, h);
      write_funds(c.ucc, books.make_funds(rng));
    }
    if (plan_.wants(break_kind::off_lot) && !plan_.reported(break_kind::off_lot))
      throw std::invalid_argument("--break off-lot found no F&O position to break; add clients");
    for (csv_sink* s : {&clients_, &positions_, &holdings_, &funds_}) {
      const auto rows = s->data_rows();
      files[s->path().filename().string()] = {{"rows", rows}, {"sha256", s->finish()}};
    }
  }

 private:
  void write_client(const client& c) {
    std::string& r = clients_.row();
    r.append(c.ucc).append(",").append(c.pan).append(",");
    append_text(r, c.name);
    r.append(",").append(c.mobile).append(",");
    append_text(r, c.email);
    r.append(c.eligible ? ",Y" : ",N");
    clients_.end_row();
  }

  void write_position(const std::string& ucc, const position& p) {
    const std::int64_t row = positions_.data_rows();
    const std::int64_t line = row + 2;  // line 1 is the header
    const instrument& in = catalog_.all()[p.instrument];
    std::string clean;
    if (plan_.wants(break_kind::duplicate) && row + 1 == plan_.target(break_kind::duplicate))
      append_position(previous_, ucc, in.id, p.product, p.net_qty, p.avg_price);

    if (row == plan_.target(break_kind::checksum)) {
      append_position(clean, ucc, in.id, p.product, p.net_qty, p.avg_price);
      std::string changed;
      append_position(changed, ucc, in.id, p.product, p.net_qty, p.avg_price + in.tick);
      positions_.write_row_hashed_as(changed, clean);
      plan_.report(break_kind::checksum, "positions.csv", line,
                   "avg_price raised by one tick after the SHA-256 was taken");
      return;
    }
    std::string_view id = in.id;
    std::string_view owner = ucc;
    std::int64_t qty = p.net_qty;
    if (row == plan_.target(break_kind::unknown_instrument)) {
      id = break_plan::unknown_instrument_id;
      plan_.report(break_kind::unknown_instrument, "positions.csv", line,
                   "instrument_id " + std::string(id) + " is not in instruments.csv");
    } else if (row == plan_.target(break_kind::unknown_client)) {
      owner = break_plan::unknown_ucc;
      plan_.report(break_kind::unknown_client, "positions.csv", line,
                   "ucc " + std::string(owner) + " is not in clients.csv");
    } else if (row == plan_.target(break_kind::duplicate)) {
      positions_.row().append(previous_);
      positions_.end_row();
      plan_.report(break_kind::duplicate, "positions.csv", line,
                   "same ucc,instrument_id,product as line " + std::to_string(line - 1));
      return;
    } else if (plan_.wants(break_kind::off_lot) && !plan_.reported(break_kind::off_lot) &&
               row >= plan_.target(break_kind::off_lot) && !plan_.reserved(row) &&
               in.seg == segment::fo && in.lot_size > 1) {
      qty += qty < 0 ? -1 : 1;
      plan_.report(break_kind::off_lot, "positions.csv", line,
                   "net_qty " + std::to_string(qty) + " of " + in.id +
                       " is not a multiple of lot_size " + std::to_string(in.lot_size));
    }
    append_position(positions_.row(), owner, id, p.product, qty, p.avg_price);
    positions_.end_row();
  }

  void write_holding(const std::string& ucc, const holding& h) {
    std::string& r = holdings_.row();
    r.append(ucc).append(",").append(catalog_.all()[h.instrument].id).append(",");
    append_int(r, h.qty);
    r.push_back(',');
    append_paise(r, h.avg_price);
    holdings_.end_row();
  }

  void write_funds(const std::string& ucc, const funds& f) {
    const std::int64_t row = funds_.data_rows();
    std::string& r = funds_.row();
    r.append(ucc).append(",");
    if (row == plan_.target(break_kind::bad_number)) {
      r.append(break_plan::bad_number_text);
      plan_.report(
          break_kind::bad_number, "funds.csv", row + 2,
          "opening_balance " + std::string(break_plan::bad_number_text) + " is not a number");
    } else {
      append_paise(r, f.opening_balance);
    }
    r.push_back(',');
    append_paise(r, f.margin_used);
    r.push_back(',');
    append_paise(r, f.collateral);
    funds_.end_row();
  }

  const dump_options& o_;
  const instrument_catalog& catalog_;
  break_plan& plan_;
  csv_sink clients_, positions_, holdings_, funds_;
  std::string previous_;  // the clean row a duplicate copies
};

// 1-based line of manifest.json holding `file`'s "rows" (for the row-count report).
std::int64_t rows_line(const std::string& manifest, std::string_view file) {
  const auto at = manifest.find("\"rows\"", manifest.find("\"" + std::string(file) + "\""));
  return 1 + std::count(manifest.begin(), manifest.begin() + static_cast<std::ptrdiff_t>(at), '\n');
}

}  // namespace

dump_summary write_dump(const dump_options& o) {
  if (o.clients < 1 || o.clients > client_factory::max_clients)
    throw std::invalid_argument("--clients must be from 1 to 999999");
  const instrument_catalog catalog(o.instruments, o.trading_date);
  if (o.positions_per_client > o.instruments)
    throw std::invalid_argument("--positions-per-client must not exceed --instruments");
  if (o.holdings_per_client > std::ssize(catalog.equities()))
    throw std::invalid_argument("--holdings-per-client must not exceed the " +
                                std::to_string(catalog.equities().size()) +
                                " equities among these instruments");
  break_plan plan(o.breaks, o.clients * o.positions_per_client, o.clients);

  fs::create_directories(o.out);
  fs::remove(o.out / "manifest.json");  // a stale manifest must not vouch for new files

  nlohmann::ordered_json files = nlohmann::ordered_json::object();
  {
    account_writer accounts(o, catalog, plan);
    write_instruments(o.out / "instruments.csv", catalog, files);
    accounts.run(files);
  }
  nlohmann::ordered_json ordered;
  for (const char* name :
       {"clients.csv", "instruments.csv", "positions.csv", "holdings.csv", "funds.csv"})
    ordered[name] = files[name];
  if (plan.wants(break_kind::row_count))
    ordered["holdings.csv"]["rows"] = ordered["holdings.csv"]["rows"].get<std::int64_t>() + 1;

  const nlohmann::ordered_json manifest = {{"trading_date", iso_date(o.trading_date)},
                                           {"generated_at", iso_time(o.generated_at)},
                                           {"files", ordered}};
  const std::string text = manifest.dump(2) + "\n";
  if (plan.wants(break_kind::row_count)) {
    const auto claimed = ordered["holdings.csv"]["rows"].get<std::int64_t>();
    plan.report(break_kind::row_count, "manifest.json", rows_line(text, "holdings.csv"),
                "holdings.csv \"rows\" is " + std::to_string(claimed) + " but the file has " +
                    std::to_string(claimed - 1) + " data rows");
  }
  const fs::path tmp = o.out / "manifest.json.tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("cannot create " + tmp.string());
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) throw std::runtime_error("cannot write " + tmp.string());
  fs::rename(tmp, o.out / "manifest.json");

  dump_summary s;
  s.clients = o.clients;
  s.instruments = std::ssize(catalog.all());
  s.positions = o.clients * o.positions_per_client;
  s.holdings = o.clients * o.holdings_per_client;
  s.funds = o.clients;
  s.break_reports = plan.reports();
  return s;
}

}  // namespace irra::tools
