// Shared pieces of the `irra` command line: errors that map to exit codes, and the
// sub-command table.
#pragma once

#include <boost/program_options.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace irra::app {

// Exit codes of the contract: 0 success, 1 runtime failure, 2 usage or configuration error.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

// A bad flag or argument; main() prints it as one line and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Args = std::vector<std::string>;

// Parses `args` against `options` (positional arguments are refused unless `positional`
// is given) and turns every program_options error into a UsageError naming the flag.
boost::program_options::variables_map parse_args(
    const std::string& command, const Args& args,
    const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description* positional = nullptr);

// True when the arguments ask for the command's help (--help or -h anywhere).
bool wants_help(const Args& args);

// Prints "Usage: irra CMD ..." and the options.
void print_help(const std::string& usage, const std::string& summary,
                const boost::program_options::options_description& options);

int run_serve(const Args& args);
int run_sod_import(const Args& args);
int run_audit(const Args& args);
int run_ctl(const Args& args);
int run_reverse_migrate(const Args& args);
int run_staff(const Args& args);

}  // namespace irra::app
