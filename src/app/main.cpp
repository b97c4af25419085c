// `irra`: the IRRA server and its operator commands (contract section 1).
#include <spdlog/spdlog.h>

#include <cstring>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <string>

#include "cli.hpp"
#include "irra/config/config.hpp"

#ifndef IRRA_VERSION
#define IRRA_VERSION "0.0.0"
#endif

namespace {

using irra::app::Args;

struct Command {
  std::function<int(const Args&)> run;
  const char* summary;
};

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table{
      {"serve", {irra::app::run_serve, "run the server (the default when no command is given)"}},
      {"sod-import",
       {irra::app::run_sod_import, "load a start-of-day dump into the database, all or nothing"}},
      {"audit",
       {irra::app::run_audit, "verify the audit trail's hash chain, or export it as evidence"}},
      {"ctl", {irra::app::run_ctl, "talk to the running server over its admin socket"}},
      {"reverse-migrate",
       {irra::app::run_reverse_migrate,
        "hand the orders and trades done while ACTIVE over to the main system"}},
      {"staff", {irra::app::run_staff, "manage the admin terminal's staff accounts"}},
  };
  return table;
}

void print_usage(std::ostream& out) {
  out << "Usage: irra [COMMAND] [OPTIONS]\n\n"
         "IRRA keeps investors able to square off positions and cancel orders while the\n"
         "broker's main trading site is down.\n\nCommands:\n";
  for (const auto& [name, cmd] : commands()) {
    out << "  " << name << std::string(name.size() < 18 ? 18 - name.size() : 1, ' ')
        << cmd.summary << "\n";
  }
  out << "\nOptions:\n  --help            show this help\n  --version         show the version\n\n"
         "Run 'irra COMMAND --help' for a command's options.\n"
         "Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.\n";
}

}  // namespace

int main(int argc, char** argv) {
  Args args(argv + 1, argv + argc);
  std::string name = "serve";
  if (!args.empty()) {
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      print_usage(std::cout);
      return irra::app::exit_ok;
    }
    if (args[0] == "--version") {
      std::cout << "irra " << IRRA_VERSION << "\n";
      return irra::app::exit_ok;
    }
    if (args[0].empty() || args[0][0] != '-') {
      name = args[0];
      args.erase(args.begin());
    }
  }
  const auto it = commands().find(name);
  if (it == commands().end()) {
    std::cerr << "irra: unknown command '" << name << "' (see 'irra --help')\n";
    return irra::app::exit_usage;
  }
  try {
    return it->second.run(args);
  } catch (const irra::app::UsageError& e) {
    std::cerr << "irra: " << e.what() << "\n";
    return irra::app::exit_usage;
  } catch (const irra::config::ConfigError& e) {
    std::cerr << "irra: " << e.what() << "\n";
    return irra::app::exit_usage;
  } catch (const std::exception& e) {
    // Runtime failures are reported as one line; never a stack trace.
    std::cerr << "irra: " << name << ": " << e.what() << "\n";
    return irra::app::exit_failure;
  }
}
