// `irra serve --config FILE [--active | --standby]` (also the default command).
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli.hpp"
#include "irra/app/logging.hpp"
#include "irra/config/config.hpp"
#include "server.hpp"

namespace po = boost::program_options;

namespace irra::app {

int run_serve(const Args& args) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")(
      "config", po::value<std::string>()->default_value(""),
      "configuration file (JSON); built-in defaults when omitted")(
      "active", po::bool_switch(), "start ACTIVE at once (investors may log in)")(
      "standby", po::bool_switch(),
      "start in STANDBY with automatic activation on (even if failover.auto_activate is "
      "false)");
  if (wants_help(args)) {
    print_help("irra serve --config FILE [--active | --standby]",
               "Runs the IRRA server: mirrors the exchange's drop copy, serves the investor\n"
               "site and the admin terminal, and switches to ACTIVE when the main site fails.\n"
               "Without --active or --standby it starts in the last recorded mode (STANDBY on\n"
               "a fresh database); a flag that changes the mode is recorded and audited.\n"
               "Stops cleanly on SIGTERM or SIGINT after draining pending database writes.",
               opts);
    return exit_ok;
  }
  const auto vm = parse_args("serve", args, opts);
  const bool active = vm["active"].as<bool>();
  const bool standby = vm["standby"].as<bool>();
  if (active && standby) throw UsageError("serve: --active and --standby exclude each other");

  const auto& path = vm["config"].as<std::string>();
  auto cfg = path.empty() ? config::load_string("{}", "built-in defaults") : config::load_file(path);
  setup_logging(cfg.log.level,
                cfg.log.format == config::LogFormat::json ? LogFormat::json : LogFormat::text);
  if (path.empty()) spdlog::warn("no --config given: running on the built-in defaults");

  Server server(std::move(cfg), active    ? StartMode::active
                                : standby ? StartMode::standby
                                          : StartMode::configured);
  return server.run();
}

}  // namespace irra::app
