#include "sim_options.hpp"

#include <boost/program_options.hpp>
#include <charconv>
#include <sstream>

namespace irra::sim {
namespace po = boost::program_options;
namespace {

std::optional<std::uint64_t> parse_u64(const std::string& text) {
  std::uint64_t v = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return v;
}

po::options_description describe() {
  po::options_description d("irra-exchange-sim options");
  // Values are read as strings and checked here, so an error names the flag precisely.
  d.add_options()("help", "print this help")("version", "print the version")(
      "listen", po::value<std::string>(), "FIX acceptor HOST:PORT (default 127.0.0.1:9878)")(
      "dump", po::value<std::string>(), "start-of-day dump folder (required)")(
      "health-listen", po::value<std::string>(),
      "health and control HTTP HOST:PORT (default 127.0.0.1:9100)")(
      "flow-rate", po::value<std::string>(),
      "main-site reports per second on the drop copy (0 = none)")("seed", po::value<std::string>(),
                                                                  "random seed (default 1)")(
      "flow-count", po::value<std::string>(),
      "stop the main-site flow after K reports (0 = never)")(
      "journal", po::value<std::string>(), "JSON-lines record of every application message")(
      "walk-ms", po::value<std::string>(), "price random-walk period in ms (0 = prices frozen)")(
      "virtual-clock",
      "TransactTime and the price walk follow a clock advanced by each main-site report, so a"
      " seeded day replays identically")(
      "resend-window", po::value<std::string>(),
      "messages kept per session for ResendRequest (default 4000000)")(
      "log-level", po::value<std::string>(), "trace|debug|info|warn|error");
  return d;
}

}  // namespace

std::optional<host_port> parse_host_port(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  const auto port = parse_u64(text.substr(colon + 1));
  if (!port || *port > 65535) return std::nullopt;
  return host_port{text.substr(0, colon), static_cast<std::uint16_t>(*port)};
}

parse_outcome parse_command_line(const std::vector<std::string>& args) {
  const auto desc = describe();
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
  } catch (const po::error& e) {
    return {std::nullopt, 2, std::string("irra-exchange-sim: ") + e.what()};
  }
  if (vm.count("help")) {
    std::ostringstream out;
    out << "usage: irra-exchange-sim --listen HOST:PORT --dump DIR [--health-listen HOST:PORT]"
           " [--flow-rate N] [--seed N]\n"
        << desc;
    return {std::nullopt, 0, out.str()};
  }
  if (vm.count("version")) return {std::nullopt, 0, "irra-exchange-sim 0.1.0"};

  const auto usage = [](std::string flag, std::string why) {
    return parse_outcome{std::nullopt, 2, "irra-exchange-sim: --" + flag + ": " + why};
  };
  sim_options o;
  const auto str = [&](const char* name) -> std::optional<std::string> {
    if (!vm.count(name)) return std::nullopt;
    return vm[name].as<std::string>();
  };
  for (const char* name : {"listen", "health-listen"}) {
    if (const auto v = str(name)) {
      const auto hp = parse_host_port(*v);
      if (!hp) return usage(name, "'" + *v + "' is not HOST:PORT");
      (std::string_view(name) == "listen" ? o.listen : o.health_listen) = *hp;
    }
  }
  const auto dump = str("dump");
  if (!dump || dump->empty()) return usage("dump", "required (the start-of-day dump folder)");
  o.dump = *dump;
  struct numeric {
    const char* name;
    std::uint64_t* target;
    std::uint64_t max;
  };
  for (const numeric& n :
       {numeric{"flow-rate", &o.flow_rate, 100'000'000}, numeric{"seed", &o.seed, UINT64_MAX},
        numeric{"flow-count", &o.flow_count, UINT64_MAX}, numeric{"walk-ms", &o.walk_ms, 3'600'000},
        numeric{"resend-window", &o.resend_window, 1'000'000'000}}) {
    if (const auto v = str(n.name)) {
      const auto parsed = parse_u64(*v);
      if (!parsed || *parsed > n.max) {
        return usage(n.name, "'" + *v + "' is not an integer from 0 to " + std::to_string(n.max));
      }
      *n.target = *parsed;
    }
  }
  if (const auto v = str("journal")) o.journal = *v;
  o.virtual_clock = vm.count("virtual-clock") > 0;
  if (const auto v = str("log-level")) {
    if (*v != "trace" && *v != "debug" && *v != "info" && *v != "warn" && *v != "error") {
      return usage("log-level", "'" + *v + "' is not trace|debug|info|warn|error");
    }
    o.log_level = *v;
  }
  return {std::move(o), 0, {}};
}

}  // namespace irra::sim
