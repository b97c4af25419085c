// `irra sod-import --config FILE --dump DIR`: load a start-of-day dump, all or nothing.
#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "irra/config/config.hpp"
#include "irra/sod/importer.hpp"
#include "irra/store/audit.hpp"
#include "irra/store/database.hpp"

namespace po = boost::program_options;

namespace irra::app {

int run_sod_import(const Args& args) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")(
      "config", po::value<std::string>()->required(), "configuration file (JSON)")(
      "dump", po::value<std::string>()->required(),
      "folder with manifest.json and the five CSV files");
  if (wants_help(args)) {
    print_help("irra sod-import --config FILE --dump DIR",
               "Validates every row of a start-of-day dump (manifest row counts and SHA-256,\n"
               "numbers, references, duplicates) and, only if there is no error, replaces the\n"
               "previous start-of-day data in one transaction. Errors are listed as\n"
               "'file:line: reason'; a rejected dump leaves the database as it was (exit 1).",
               opts);
    return exit_ok;
  }
  const auto vm = parse_args("sod-import", args, opts);
  const auto cfg = config::load_file(vm["config"].as<std::string>());
  const auto url = store::DbUrl::parse(cfg.database.url);
  const std::filesystem::path dir = vm["dump"].as<std::string>();
  if (!std::filesystem::is_directory(dir)) {
    throw UsageError("sod-import: --dump: '" + dir.string() + "' is not a directory");
  }

  auto sql = store::open(url);
  const auto report = sod::import_dump(dir, *sql, url.backend);
  if (!report.ok) {
    for (const auto& e : report.errors) std::cerr << e << "\n";
    std::cerr << "irra: sod-import: dump rejected (" << report.errors.size()
              << (report.errors.size() == 1 ? " error" : " errors")
              << "); the database is unchanged\n";
    return exit_failure;
  }

  const nlohmann::json summary = {
      {"trading_date", report.trading_date},
      {"clients", report.counts.clients},
      {"instruments", report.counts.instruments},
      {"positions", report.counts.positions},
      {"holdings", report.counts.holdings},
      {"funds", report.counts.funds},
      {"validate_ms", report.validate_time.count()},
      {"write_ms", report.write_time.count()},
  };
  {
    soci::transaction tx(*sql);
    store::AuditChain::append_in(*sql, store::AuditEvent{.ts = "",
                                                         .type = "sod.import",
                                                         .actor = "system:sod-import",
                                                         .ucc = std::nullopt,
                                                         .ip = std::nullopt,
                                                         .user_agent = std::nullopt,
                                                         .detail = summary.dump()});
    tx.commit();
  }
  std::cout << summary.dump() << "\n";
  return exit_ok;
}

}  // namespace irra::app
