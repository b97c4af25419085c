// `irra ctl status|activate|recover|standby [--reason TEXT]` and
// `irra ctl positions|orders|trades [--ucc UCC]`: talks to the running server over its
// admin Unix socket (admin.socket) and prints what it answers as JSON, one object per line.
// Also the broker's bulk square-off from the host: `irra ctl bulk-square-off --product MIS
// [--segment FO] --reason TEXT`, `irra ctl job [JOB_ID]`, `irra ctl job-cancel JOB_ID`.
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
      "reason", po::value<std::string>(), "activate|recover|standby|bulk-square-off: why (audited)")(
      "product", po::value<std::string>(), "bulk-square-off: MIS (default), NRML, CNC or MTF")(
      "segment", po::value<std::string>(), "bulk-square-off: only this segment (EQ, FO, CD, COM)")(
      "evidence-ref", po::value<std::string>(), "bulk-square-off: a ticket or circular reference");
  po::options_description all;
  all.add(opts).add_options()("action", po::value<std::string>())("job_id", po::value<std::string>());
  po::positional_options_description pos;
  pos.add("action", 1).add("job_id", 1);

  const bool help = wants_help(args);
  if (help || args.empty()) {
    print_help(
        "irra ctl status|activate|recover|standby [--reason TEXT] [--config FILE]\n"
        "       irra ctl positions|orders|trades [--ucc UCC] [--config FILE]\n"
        "       irra ctl bulk-square-off [--product MIS] [--segment FO] --reason TEXT [--config FILE]\n"
        "       irra ctl job [JOB_ID] | job-cancel JOB_ID [--config FILE]",
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
        "\"already_in_mode\", ...} and exits 1. See docs/operations.md.\n"
        "bulk-square-off: the broker's square-off of every client's open positions of a\n"
        "product (MIS by default), paced by exchange.order_rate_limit, as one job; prints\n"
        "the job. job: today's jobs (or one) with their progress; job-cancel stops one.\n"
        "See docs/admin-api.md.",
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
  const bool bulk = action == "bulk-square-off";
  const bool job = action == "job" || action == "job-cancel";
  if (action != "status" && !listing && !mode && !bulk && !job) {
    throw UsageError("ctl: unknown command '" + action + "' (see 'irra ctl --help')");
  }
  if (vm.count("ucc") && !listing) throw UsageError("ctl: --ucc applies to " + action + " only");
  if (vm.count("reason") && !mode && !bulk) {
    throw UsageError("ctl: --reason applies to " + action + " only");
  }
  for (const char* o : {"product", "segment", "evidence-ref"}) {
    if (vm.count(o) && !bulk) throw UsageError(std::string("ctl: --") + o + " applies to bulk-square-off only");
  }
  if (bulk && !vm.count("reason")) throw UsageError("ctl: bulk-square-off needs --reason");
  if (vm.count("job_id") && !job) throw UsageError("ctl: unexpected argument '" + vm["job_id"].as<std::string>() + "'");
  if (action == "job-cancel" && !vm.count("job_id")) throw UsageError("ctl: job-cancel needs a JOB_ID");

  const auto& config_path = vm["config"].as<std::string>();
  const auto cfg = config_path.empty() ? config::load_string("{}", "built-in defaults")
                                       : config::load_file(config_path);
  nlohmann::json request = {{"cmd", action}};
  if (vm.count("ucc")) request["ucc"] = vm["ucc"].as<std::string>();
  if (vm.count("reason")) request["reason"] = vm["reason"].as<std::string>();
  if (vm.count("product")) request["product"] = vm["product"].as<std::string>();
  if (vm.count("segment")) request["segment"] = vm["segment"].as<std::string>();
  if (vm.count("evidence-ref")) request["evidence_ref"] = vm["evidence-ref"].as<std::string>();
  if (vm.count("job_id")) request["job_id"] = vm["job_id"].as<std::string>();

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
