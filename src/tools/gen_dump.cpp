// irra-gen-dump: writes a realistic, deterministic start-of-day dump for the demo, the tests
// and the benchmarks, optionally with one deliberate defect per --break kind.
#include <boost/program_options.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "dump_writer.hpp"

namespace {

namespace po = boost::program_options;
using namespace std::chrono;

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Whole-string decimal integer within [lo, hi]; program_options' lexical_cast would accept
// "-1" for an unsigned option and wrap it.
template <class T>
T parse_number(const std::string& flag, const std::string& text, T lo, T hi) {
  T v{};
  const auto res = std::from_chars(text.data(), text.data() + text.size(), v);
  if (res.ec != std::errc{} || res.ptr != text.data() + text.size() || v < lo || v > hi)
    throw usage_error(flag + " must be an integer from " + std::to_string(lo) + " to " +
                      std::to_string(hi) + ", not '" + text + "'");
  return v;
}

year_month_day parse_date(const std::string& text) {
  const auto part = [&](std::size_t at, std::size_t len) {
    unsigned v = 0;
    const char* first = text.data() + at;
    const auto res = std::from_chars(first, first + len, v);
    return res.ec == std::errc{} && res.ptr == first + len ? v : 0U;
  };
  const bool shape = text.size() == 10 && text[4] == '-' && text[7] == '-';
  const year_month_day date =
      shape ? year{static_cast<int>(part(0, 4))} / month{part(5, 2)} / day{part(8, 2)}
            : year_month_day{};
  if (!shape || !date.ok() || date.year() < year{2000} || date.year() > year{2099})
    throw usage_error("--trading-date must be a date YYYY-MM-DD (2000-2099), not '" + text + "'");
  return date;
}

// SOURCE_DATE_EPOCH (the reproducible-builds convention) pins generated_at, so two runs
// with the same seed give byte-identical dumps, manifest included.
sys_seconds generation_time() {
  if (const char* env = std::getenv("SOURCE_DATE_EPOCH"); env != nullptr && *env != '\0')
    return sys_seconds{
        seconds{parse_number<std::int64_t>("SOURCE_DATE_EPOCH", env, 0, 4102444799)}};
  return floor<seconds>(system_clock::now());
}

int run(int argc, char** argv) {
  po::options_description desc(
      "irra-gen-dump: write a start-of-day dump (clients, instruments, positions, holdings,\n"
      "funds and manifest.json) for IRRA's demo, tests and benchmarks.\n"
      "Usage: irra-gen-dump --out DIR [options]\nOptions");
  std::vector<std::string> breaks;
  desc.add_options()("help", "print this help and exit")(
      "out", po::value<std::string>(), "folder to write the dump into (required)")(
      "clients", po::value<std::string>()->default_value("1000"), "number of clients")(
      "positions-per-client", po::value<std::string>()->default_value("5"),
      "distinct (instrument, product) positions per client")(
      "holdings-per-client", po::value<std::string>()->default_value("3"),
      "distinct equity holdings per client")(
      "instruments", po::value<std::string>()->default_value("200"), "number of instruments")(
      "seed", po::value<std::string>()->default_value("1"), "random seed (same seed, same dump)")(
      "trading-date", po::value<std::string>(), "YYYY-MM-DD (default: today, UTC)")(
      "ineligible-pct", po::value<std::string>()->default_value("10"),
      "percent of clients (after the five demo clients) that are algo or institutional "
      "(eligible=N)")("break", po::value<std::vector<std::string>>(&breaks)->composing(),
                      "put one defect of this kind into the dump and print where on stderr; "
                      "repeatable: checksum, row-count, unknown-instrument, unknown-client, "
                      "bad-number, duplicate, bad-header, off-lot");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw usage_error(e.what());
  }
  if (vm.count("help") != 0) {
    std::cout << desc
              << "\nThe output is deterministic for a seed and trading date; set "
                 "SOURCE_DATE_EPOCH to pin manifest.json's generated_at too.\n";
    return 0;
  }
  if (vm.count("out") == 0) throw usage_error("--out DIR is required");

  irra::tools::dump_options o;
  o.out = vm["out"].as<std::string>();
  const auto num = [&](const char* flag, std::int64_t lo, std::int64_t hi) {
    return parse_number<std::int64_t>(std::string("--") + flag, vm[flag].as<std::string>(), lo, hi);
  };
  o.clients = num("clients", 1, 999999);
  o.positions_per_client = num("positions-per-client", 0, 1000);
  o.holdings_per_client = num("holdings-per-client", 0, 1000);
  o.instruments = num("instruments", 20, 200000);
  o.ineligible_pct = num("ineligible-pct", 0, 100);
  o.seed = parse_number<std::uint64_t>("--seed", vm["seed"].as<std::string>(), 0, UINT64_MAX);
  o.trading_date = vm.count("trading-date") != 0 ? parse_date(vm["trading-date"].as<std::string>())
                                                 : year_month_day{floor<days>(system_clock::now())};
  o.generated_at = generation_time();
  for (const std::string& b : breaks) {
    const auto kind = irra::tools::parse_break_kind(b);
    if (!kind)
      throw usage_error("--break '" + b + "' is not one of " +
                        std::string(irra::tools::break_kind_names()));
    o.breaks.push_back(*kind);
  }

  const auto start = steady_clock::now();
  irra::tools::dump_summary s;
  try {
    s = irra::tools::write_dump(o);
  } catch (const std::invalid_argument& e) {
    throw usage_error(e.what());
  }
  const double secs = duration<double>(steady_clock::now() - start).count();
  for (const std::string& r : s.break_reports) std::cerr << "irra-gen-dump: " << r << '\n';
  std::cout << "irra-gen-dump: wrote " << o.out.string() << ": " << s.clients << " clients, "
            << s.instruments << " instruments, " << s.positions << " positions, " << s.holdings
            << " holdings, " << s.funds << " funds rows (seed " << o.seed << ") in "
            << static_cast<double>(static_cast<std::int64_t>(secs * 1000)) / 1000 << " s\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const usage_error& e) {
    std::cerr << "irra-gen-dump: " << e.what() << " (see --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "irra-gen-dump: " << e.what() << '\n';
    return 1;
  }
}
