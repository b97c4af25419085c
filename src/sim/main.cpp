// irra-exchange-sim: plays the exchange (and the main site's health endpoint) for IRRA's
// demo, tests, benchmarks and chaos runs. See docs/simulator.md.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>

#include "irra/sod/dump.hpp"
#include "sim_options.hpp"
#include "simulator.hpp"

namespace {

int fail(int code, const std::string& line) {
  std::cerr << "irra-exchange-sim: " << line << '\n';
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace irra::sim;
  const parse_outcome parsed = parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.options) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message << '\n';
    return parsed.exit_code;
  }
  const sim_options& o = *parsed.options;
  auto logger = spdlog::stderr_color_mt("sim");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(o.log_level));

  if (!simulator::endpoint_of(o.listen))
    return fail(2, "--listen: '" + o.listen.host + "' is not an IP address");
  if (!simulator::endpoint_of(o.health_listen)) {
    return fail(2, "--health-listen: '" + o.health_listen.host + "' is not an IP address");
  }
  irra::sod::DumpResult dump = irra::sod::read_dump(o.dump);
  if (!dump.dump) {
    const std::string first = dump.errors.empty() ? "unreadable" : dump.errors.front();
    return fail(2, "--dump: " + o.dump.string() + ": " + first +
                       (dump.errors.size() > 1
                            ? " (and " + std::to_string(dump.errors.size() - 1) + " more errors)"
                            : ""));
  }
  spdlog::info("dump {}: {} clients, {} instruments, {} positions", o.dump.string(),
               dump.dump->clients.size(), dump.dump->instruments.size(),
               dump.dump->positions.size());
  try {
    boost::asio::io_context ioc{1};
    std::unique_ptr<simulator> sim;
    try {
      sim = std::make_unique<simulator>(ioc, o, std::move(*dump.dump));
    } catch (const std::exception& e) {
      return fail(2, std::string("--journal: ") + e.what());
    }
    try {
      sim->start_fix();
    } catch (const boost::system::system_error& e) {
      return fail(1, "--listen: cannot listen on " + o.listen.host + ":" +
                         std::to_string(o.listen.port) + ": " + e.code().message());
    }
    try {
      sim->start_http();
    } catch (const boost::system::system_error& e) {
      return fail(1, "--health-listen: cannot listen on " + o.health_listen.host + ":" +
                         std::to_string(o.health_listen.port) + ": " + e.code().message());
    }
    sim->start_timer();
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      spdlog::info("signal {}: stopping", sig);
      sim->stop();
    });
    spdlog::info("FIX acceptor on {}:{}, health/control on {}:{}, flow {} reports/s",
                 sim->fix_endpoint().address().to_string(), sim->fix_endpoint().port(),
                 sim->http_endpoint().address().to_string(), sim->http_endpoint().port(),
                 o.flow_rate);
    ioc.run();
    spdlog::info("stopped");
    return 0;
  } catch (const std::exception& e) {
    return fail(1, e.what());
  }
}
