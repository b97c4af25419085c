// A by-hand throughput check (not a ctest): serves GET /api/v1/bench, about 1 KB of JSON,
// over HTTPS on the given port, so that wrk can be pointed at it (see run_wrk.sh).
//   irra_http_bench_server PORT [THREADS] [TLS_DIR]
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "irra/http/server.hpp"
#include "irra/http/tls_context.hpp"

int main(int argc, char** argv) {
  using namespace irra::http;
  namespace net = boost::asio;
  if (argc < 2) {
    std::cerr << "usage: irra_http_bench_server PORT [THREADS] [TLS_DIR]\n";
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  const int threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 1;
  TlsOptions tls;
  tls.self_signed_dir = argc > 3 ? argv[3] : "/tmp/irra-http-bench-tls";

  nlohmann::json positions = nlohmann::json::array();
  for (int i = 0; i < 5; ++i) {
    positions.push_back({{"instrument", "NSE:RELIANCE"},
                         {"product", "MIS"},
                         {"net_qty", 100 + i},
                         {"avg_price", 2450.55},
                         {"ltp", 2461.2},
                         {"realized_pnl", 0},
                         {"unrealized_pnl", 1065.0},
                         {"pending_exit_qty", 0},
                         {"squareoff_qty", 100},
                         {"lot_size", 1}});
  }
  auto router = std::make_shared<Router>();
  router->add(Verb::get, "/api/v1/bench",
              [positions](const Request&) { return json_response(Status::ok, positions); });

  net::io_context ioc{threads};
  ServerOptions options;
  options.listen = net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port);
  Server server(ioc, std::make_shared<net::ssl::context>(make_tls_context(tls)), router,
                std::make_shared<HttpMetrics>(), options);
  server.start();
  spdlog::info("bench: GET https://127.0.0.1:{}/api/v1/bench ({} bytes), {} thread(s)",
               server.local_endpoint().port(), json_response(Status::ok, positions).body().size(),
               threads);
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) { server.stop(std::chrono::seconds(1), [&] { ioc.stop(); }); });
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
}
