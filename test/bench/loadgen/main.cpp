// irra-loadgen: an open-loop HTTPS load generator for IRRA's benchmarks (open_loop.hpp says
// what open loop means and why wrk's closed loop is not enough for a latency figure).
//
//   irra-loadgen --url https://127.0.0.1:8443 --rate 500 --duration 30 [--warmup 5]
//                [--connections 64] [--threads 1] [--source ADDR[,ADDR...]]
//                (--requests FILE | --target PATH [--method M] [--header 'N: V']... [--body B])
//                [--out FILE.json] [--latencies FILE]
//
// --requests FILE: one request per line as JSON {"method", "target", "headers": {...},
// "body"}, used in turn (e.g. each logged-in client's own cookie, CSRF token and position).
// "{seq}" in a header value or the body becomes the request's sequence number (unique across
// threads), e.g. "Idempotency-Key: bench-{seq}". The certificate is not verified (IRRA's
// self-signed one); the connections' handshakes happen before the schedule starts.
// Prints one summary line and writes it as JSON to --out; --latencies writes every recorded
// latency in microseconds, one per line, sorted. Exit 0; 2 on a usage error.
#include <boost/asio/ssl/context.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <numeric>
#include <regex>
#include <sstream>
#include <thread>

#include "open_loop.hpp"

namespace po = boost::program_options;
using irra::loadgen::Generator;
using irra::loadgen::Options;
using irra::loadgen::percentile_ms;
using irra::loadgen::RequestTemplate;
using irra::loadgen::Results;
using nlohmann::json;

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "irra-loadgen: " << why << "\n";
  std::exit(2);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, sep);) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

std::vector<RequestTemplate> read_requests(const std::string& file) {
  std::ifstream in(file);
  if (!in) usage("cannot read --requests " + file);
  std::vector<RequestTemplate> out;
  std::size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      const json j = json::parse(line);
      RequestTemplate t;
      t.method = j.value("method", "GET");
      t.target = j.at("target").get<std::string>();
      if (const auto h = j.find("headers"); h != j.end()) {
        for (auto it = h->begin(); it != h->end(); ++it) {
          t.headers.emplace_back(it.key(), it.value().get<std::string>());
        }
      }
      t.body = j.value("body", "");
      out.push_back(std::move(t));
    } catch (const std::exception& e) {
      usage(file + ":" + std::to_string(line_no) + ": " + e.what());
    }
  }
  if (out.empty()) usage(file + ": no request");
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("irra-loadgen");
  desc.add_options()("url", po::value<std::string>()->required(), "https://HOST:PORT")(
      "rate", po::value<double>()->required(), "requests per second (all threads)")(
      "duration", po::value<double>()->required(), "seconds of schedule")(
      "warmup", po::value<double>()->default_value(0), "seconds not recorded at the start")(
      "connections", po::value<int>()->default_value(64), "keep-alive connections (all threads)")(
      "threads", po::value<int>()->default_value(1), "generator threads")(
      "source", po::value<std::string>()->default_value(""), "local addresses, comma-separated")(
      "requests", po::value<std::string>(), "JSON lines of requests")(
      "target", po::value<std::string>(), "path of the one request")(
      "method", po::value<std::string>()->default_value("GET"), "its method")(
      "header", po::value<std::vector<std::string>>()->composing(), "'Name: value'")(
      "body", po::value<std::string>()->default_value(""), "its body")(
      "out", po::value<std::string>(), "summary JSON file")(
      "latencies", po::value<std::string>(), "every latency (µs), sorted");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    usage(e.what());
  }
  static const std::regex url_re(R"(https://([^:/]+):(\d+)/?)");
  std::smatch m;
  const std::string url = vm["url"].as<std::string>();
  if (!std::regex_match(url, m, url_re)) usage("--url must be https://HOST:PORT");
  const double rate = vm["rate"].as<double>(), duration = vm["duration"].as<double>();
  const int threads = vm["threads"].as<int>(), connections = vm["connections"].as<int>();
  if (rate <= 0 || duration <= 0 || threads < 1 || connections < threads) {
    usage("--rate and --duration must be positive, --connections at least --threads");
  }

  std::vector<RequestTemplate> requests;
  if (vm.count("requests")) {
    requests = read_requests(vm["requests"].as<std::string>());
  } else if (vm.count("target")) {
    RequestTemplate t;
    t.method = vm["method"].as<std::string>();
    t.target = vm["target"].as<std::string>();
    t.body = vm["body"].as<std::string>();
    if (vm.count("header")) {
      for (const auto& h : vm["header"].as<std::vector<std::string>>()) {
        const auto colon = h.find(':');
        if (colon == std::string::npos) usage("--header must be 'Name: value'");
        t.headers.emplace_back(h.substr(0, colon), h.substr(h.find_first_not_of(' ', colon + 1)));
      }
    }
    requests.push_back(std::move(t));
  } else {
    usage("--requests or --target is required");
  }

  boost::asio::ssl::context tls(boost::asio::ssl::context::tls_client);
  tls.set_verify_mode(boost::asio::ssl::verify_none);
  const auto sources = split(vm["source"].as<std::string>(), ',');

  std::vector<std::unique_ptr<Generator>> generators;
  for (int i = 0; i < threads; ++i) {
    Options o;
    o.host = m[1];
    o.port = m[2];
    o.rate = rate / threads;
    o.duration = std::chrono::milliseconds(static_cast<long long>(duration * 1000));
    o.warmup = std::chrono::milliseconds(static_cast<long long>(vm["warmup"].as<double>() * 1000));
    o.connections = connections / threads + (i < connections % threads ? 1 : 0);
    if (!sources.empty()) o.source_address = sources[static_cast<std::size_t>(i) % sources.size()];
    o.first_seq = static_cast<std::uint64_t>(i);
    o.seq_step = static_cast<std::uint64_t>(threads);
    generators.push_back(std::make_unique<Generator>(o, requests, tls));
  }
  std::vector<std::thread> running;
  for (auto& g : generators) running.emplace_back([&g] { g->run(); });
  for (auto& t : running) t.join();

  Results all;
  for (auto& g : generators) all.merge(std::move(*g).results());
  auto& lat = all.latencies_us;
  std::sort(lat.begin(), lat.end());
  const double secs = std::chrono::duration<double>(all.elapsed).count();
  json statuses = json::object();
  std::uint64_t ok = 0;
  for (const auto& [status, n] : all.statuses) {
    statuses[std::to_string(status)] = n;
    if (status >= 200 && status < 300) ok += n;
  }
  const auto round2 = [](double v) { return std::round(v * 100) / 100; };
  const json summary = {
      {"offered_rate", rate},
      {"duration_s", duration},
      {"warmup_s", vm["warmup"].as<double>()},
      {"connections", connections},
      {"threads", threads},
      {"scheduled", all.scheduled},
      {"sent", all.sent},
      {"completed", all.completed},
      {"not_sent", all.not_sent},
      {"unanswered", all.unanswered},
      {"connection_errors", all.connection_errors},
      {"statuses", statuses},
      {"recorded", lat.size()},
      {"ok", ok},
      {"achieved_rate", round2(secs > 0 ? static_cast<double>(all.completed) / secs : 0)},
      {"latency_ms",
       {{"p50", round2(percentile_ms(lat, 50))},
        {"p90", round2(percentile_ms(lat, 90))},
        {"p99", round2(percentile_ms(lat, 99))},
        {"p999", round2(percentile_ms(lat, 99.9))},
        {"max", round2(lat.empty() ? 0 : static_cast<double>(lat.back()) / 1000)},
        {"mean", round2(lat.empty() ? 0
                                    : static_cast<double>(std::accumulate(lat.begin(), lat.end(), std::int64_t{0})) /
                                          static_cast<double>(lat.size()) / 1000)}}}};
  std::cout << "loadgen: " << summary.dump() << "\n";
  if (vm.count("out")) std::ofstream(vm["out"].as<std::string>()) << summary.dump(1) << "\n";
  if (vm.count("latencies")) {
    std::ofstream out(vm["latencies"].as<std::string>());
    for (const auto v : lat) out << v << "\n";
  }
  return 0;
}
