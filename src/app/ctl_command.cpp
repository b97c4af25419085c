// `irra ctl status|activate|recover|standby [--reason TEXT]` and
// `irra ctl positions|orders|trades [--ucc UCC]`: talks to the running server over its
// admin Unix socket (admin.socket) and prints what it answers as JSON, one object per line.
#include <iostream>

#include "cli.hpp"
#include "irra/config/config.hpp"
#include "irra/trading/admin_client.hpp"

namespace po = boost::program_options;

namespace irra::app {

int run_ctl(const Args& args) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")(
      "config", po::value<std::string>()->default_value(""),
      "configuration file (JSON); built-in defaults when omitted")(
      "ucc", po::value<std::string>(), "positions|orders|trades: only this client")(
      "reason", po::value<std::string>(), "activate|recover|standby: why (audited)");
  po::options_description all;
  all.add(opts).add_options()("action", po::value<std::string>());
  po::positional_options_description pos;
  pos.add("action", 1);

  const bool help = wants_help(args);
  if (help || args.empty()) {
    print_help(
        "irra ctl status|activate|recover|standby [--reason TEXT] [--config FILE]\n"
        "       irra ctl positions|orders|trades [--ucc UCC] [--config FILE]",
        "Talks to the running server over its admin socket (admin.socket).\n"
        "status: mode, since, exchange sessions, counts and the failover probe's view\n"
        "(\"failover\": main site up/down, each probe target's last result), as one JSON\n"
        "object.\n"
        "positions|orders|trades: the mirror for reconciliation, one JSON object per\n"
        "line with the REST API's fields plus ucc (flat positions omitted).\n"
        "activate|recover|standby: force a mode change, recorded and audited with the\n"
        "reason before it takes effect; prints {\"ok\", \"mode\", \"since\", ...}.\n"
        "  activate  STANDBY or RECOVERY -> ACTIVE (investors may log in and square off)\n"
        "  recover   ACTIVE -> RECOVERY (new square-offs stop; pending orders tracked)\n"
        "  standby   RECOVERY -> STANDBY (from ACTIVE: go through recover first)\n"
        "A refused change prints {\"ok\": false, \"error\": \"invalid_transition\" or\n"
        "\"already_in_mode\", ...} and exits 1. See docs/operations.md.",
        opts);
    if (help) return exit_ok;
    throw UsageError(
        "ctl: missing command: status, positions, orders, trades, activate, "
        "recover or standby");
  }
  const auto vm = parse_args("ctl", args, all, &pos);
  const auto action = vm.count("action") ? vm["action"].as<std::string>() : "";
  const bool listing = action == "positions" || action == "orders" || action == "trades";
  const bool mode = action == "activate" || action == "recover" || action == "standby";
  if (action != "status" && !listing && !mode) {
    throw UsageError("ctl: unknown command '" + action + "' (see 'irra ctl --help')");
  }
  if (vm.count("ucc") && !listing) throw UsageError("ctl: --ucc applies to " + action + " only");
  if (vm.count("reason") && !mode) throw UsageError("ctl: --reason applies to " + action + " only");

  const auto& config_path = vm["config"].as<std::string>();
  const auto cfg = config_path.empty() ? config::load_string("{}", "built-in defaults")
                                       : config::load_file(config_path);
  nlohmann::json request = {{"cmd", action}};
  if (vm.count("ucc")) request["ucc"] = vm["ucc"].as<std::string>();
  if (vm.count("reason")) request["reason"] = vm["reason"].as<std::string>();

  const auto result =
      trading::admin_request(cfg.admin.socket, request,
                             [](const nlohmann::json& item) { std::cout << item.dump() << "\n"; });
  std::cout.flush();
  if (result.ok) return exit_ok;
  std::cerr << "irra: ctl " << action << ": " << result.error
            << (result.message.empty() ? "" : ": " + result.message) << "\n";
  return exit_failure;
}

}  // namespace irra::app
