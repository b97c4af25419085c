// `irra audit verify|export`: the audit trail's evidence, offline.
#include <soci/soci.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "irra/config/config.hpp"
#include "irra/store/audit.hpp"
#include "irra/store/database.hpp"

namespace po = boost::program_options;

namespace irra::app {

int run_audit(const Args& args) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")(
      "config", po::value<std::string>()->default_value(""),
      "configuration file (JSON); built-in defaults when omitted")(
      "from", po::value<std::string>()->default_value(""),
      "export: first time included (ISO-8601 UTC, or a prefix such as 2024-12-02)")(
      "to", po::value<std::string>()->default_value(""), "export: first time excluded")(
      "out", po::value<std::string>(), "export: CSV file to write ('-' for standard output)");
  po::options_description all;
  all.add(opts).add_options()("action", po::value<std::string>());
  po::positional_options_description pos;
  pos.add("action", 1);

  const bool help = wants_help(args);
  if (help || args.empty()) {
    print_help("irra audit verify [--config FILE]\n"
               "       irra audit export --from TIME --to TIME --out FILE [--config FILE]",
               "verify: walks the hash chain of the audit trail and reports the first record\n"
               "that was edited, deleted or reordered (exit 1 if any).\n"
               "export: writes the records with from <= time < to as CSV evidence, each with\n"
               "whether its hash chain verifies.",
               opts);
    if (help) return exit_ok;
    throw UsageError("audit: missing action: verify or export");
  }
  const auto vm = parse_args("audit", args, all, &pos);
  const auto action = vm.count("action") ? vm["action"].as<std::string>() : "";
  if (action != "verify" && action != "export") {
    throw UsageError("audit: unknown action '" + action + "': verify or export");
  }
  const auto& config_path = vm["config"].as<std::string>();
  const auto cfg = config_path.empty() ? config::load_string("{}", "built-in defaults")
                                       : config::load_file(config_path);
  auto sql = store::open(store::DbUrl::parse(cfg.database.url));

  if (action == "verify") {
    const auto r = store::audit::verify(*sql);
    nlohmann::json out = {{"ok", r.ok}, {"records", r.records}};
    if (!r.ok) {
      out["first_bad_seq"] = r.first_bad_seq;
      out["reason"] = r.reason;
    }
    std::cout << out.dump() << "\n";
    return r.ok ? exit_ok : exit_failure;
  }

  if (!vm.count("out")) throw UsageError("audit export: --out FILE is required");
  const auto& out_path = vm["out"].as<std::string>();
  std::int64_t n = 0;
  if (out_path == "-") {
    n = store::audit::export_csv(*sql, vm["from"].as<std::string>(), vm["to"].as<std::string>(),
                                 std::cout);
  } else {
    std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write '" + out_path + "'");
    n = store::audit::export_csv(*sql, vm["from"].as<std::string>(), vm["to"].as<std::string>(),
                                 out);
    out.close();
    if (!out) throw std::runtime_error("writing '" + out_path + "' failed");
    std::cerr << "irra: audit export: " << n << " records written to " << out_path << "\n";
  }
  return exit_ok;
}

}  // namespace irra::app
