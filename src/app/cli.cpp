#include "cli.hpp"

#include <algorithm>
#include <iostream>

namespace po = boost::program_options;

namespace irra::app {

po::variables_map parse_args(const std::string& command, const Args& args,
                             const po::options_description& options,
                             const po::positional_options_description* positional) {
  po::variables_map vm;
  try {
    auto parser = po::command_line_parser(args).options(options);
    po::positional_options_description none;
    parser.positional(positional ? *positional : none);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(command + ": " + e.what() + " (see 'irra " + command + " --help')");
  }
  return vm;
}

bool wants_help(const Args& args) {
  return std::find(args.begin(), args.end(), "--help") != args.end() ||
         std::find(args.begin(), args.end(), "-h") != args.end();
}

void print_help(const std::string& usage, const std::string& summary,
                const po::options_description& options) {
  std::cout << "Usage: " << usage << "\n\n" << summary << "\n\n" << options << "\n";
}

}  // namespace irra::app
