// irra-capacity: how many simulated investors one IRRA server holds at the original plan's
// user model (10 requests per user per minute). Each user logs in through the real API,
// holds a live-update stream and makes requests on its own open-loop schedule in a mix of
// book reads and the occasional square-off; the number of users rises step by step until
// p99 passes the limit or errors appear. docs/benchmarks.md ("Capacity: irra-capacity")
// describes the model.
//
//   irra-capacity --url https://127.0.0.1:8443 --dump DIR --notify FILE --steps 1000,5000
//                 [--hold 60] [--warmup 5] [--model browser|pooled] [--streams 1]
//                 [--server-pid PID] [--probe 2000] [--threads 2] [--out FILE.json] ...
//
// Prints a line per step on stderr and the whole result as JSON on stdout (and --out).
// Exit 0 when the run completed (whatever the figures); 1 when it could not run; 2 on a
// usage error.
#include <boost/asio/ssl/context.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "proc_stats.hpp"
#include "worker.hpp"

namespace po = boost::program_options;
using namespace irra::capacity;
using nlohmann::json;

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "irra-capacity: " << why << "\n";
  std::exit(2);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, sep);) out.push_back(part);
  return out;
}

struct Dump {
  std::vector<std::string> eligible;  // UCCs in file order
  std::unordered_map<std::string, std::vector<SquareOffTarget>> open_positions;
};

Dump read_dump(const std::string& dir) {
  Dump d;
  std::ifstream clients(dir + "/clients.csv");
  if (!clients) usage("cannot read " + dir + "/clients.csv");
  std::string line;
  std::getline(clients, line);  // header
  while (std::getline(clients, line)) {
    const auto f = split(line, ',');
    if (f.size() >= 2 && f.back() == "Y") d.eligible.push_back(f[0]);
  }
  std::ifstream positions(dir + "/positions.csv");
  std::getline(positions, line);
  while (std::getline(positions, line)) {
    const auto f = split(line, ',');
    if (f.size() >= 4 && f[3] != "0") d.open_positions[f[0]].push_back({f[1], f[2]});
  }
  return d;
}

// Source address number s of a range: BASE + s, skipping x.y.z.0 and x.y.z.255.
net::ip::address source_address(std::uint32_t base, std::uint64_t s) {
  const auto v = base + static_cast<std::uint32_t>((s / 254) * 256 + 1 + s % 254);
  return net::ip::address_v4(v);
}

double round2(double v) { return std::round(v * 100) / 100; }

json errors_json(const std::map<std::string, std::uint64_t>& errors) {
  json j = json::object();
  for (const auto& [k, n] : errors) j[k] = n;
  return j;
}

struct Totals {
  WorkerSnapshot s;
};

Totals totals(std::vector<std::unique_ptr<Worker>>& workers) {
  Totals t;
  for (auto& w : workers) {
    const auto x = w->snapshot();
    t.s.logged_in += x.logged_in;
    t.s.login_failed += x.login_failed;
    t.s.login_pending += x.login_pending;
    t.s.in_flight += x.in_flight;
    t.s.streams.open += x.streams.open;
    t.s.streams.opened += x.streams.opened;
    t.s.streams.dropped += x.streams.dropped;
    t.s.streams.failed += x.streams.failed;
    t.s.streams.events += x.streams.events;
    t.s.streams.bytes += x.streams.bytes;
    for (const auto& [k, n] : x.streams.drop_reasons) t.s.streams.drop_reasons[k] += n;
    t.s.probe_ok += x.probe_ok;
    t.s.probe_failed += x.probe_failed;
    t.s.probe_streams.opened += x.probe_streams.opened;
    t.s.probe_streams.failed += x.probe_streams.failed;
  }
  return t;
}

void sleep_s(double s) {
  std::this_thread::sleep_for(std::chrono::duration<double>(s));
}

// Waits until done() or the time-out; true when done.
template <class Done>
bool wait_until(Done done, double timeout_s, double poll_s = 0.05) {
  const auto end = Clock::now() + std::chrono::duration<double>(timeout_s);
  while (!done()) {
    if (Clock::now() > end) return false;
    sleep_s(poll_s);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("irra-capacity");
  desc.add_options()("url", po::value<std::string>()->required(), "https://HOST:PORT")(
      "dump", po::value<std::string>()->required(), "the start-of-day dump the server imported")(
      "notify", po::value<std::string>()->required(), "the server's notify.file (OTP messages)")(
      "steps", po::value<std::string>()->required(), "users at each step, comma-separated")(
      "hold", po::value<double>()->default_value(60), "seconds measured at each step")(
      "warmup", po::value<double>()->default_value(5), "seconds after a step's logins, not measured")(
      "requests-per-minute", po::value<double>()->default_value(10), "per user")(
      "mix", po::value<std::string>()->default_value("35,20,15,15,14,1"),
      "weights: positions,orders,trades,funds,holdings,square-off")(
      "model", po::value<std::string>()->default_value("browser"),
      "browser: a keep-alive connection per user; pooled: one per source address")(
      "streams", po::value<int>()->default_value(1), "1: every user holds GET /api/v1/stream")(
      "threads", po::value<int>()->default_value(2), "worker threads (one io_context each)")(
      "users-per-source", po::value<int>()->default_value(50), "users per loopback address")(
      "source-base", po::value<std::string>()->default_value("127.1.0.0"), "first address range")(
      "first-user", po::value<std::size_t>()->default_value(0), "skip this many eligible clients")(
      "login-rate", po::value<double>()->default_value(400), "logins started per second")(
      "login-concurrency", po::value<int>()->default_value(512), "logins under way at most")(
      "p99-limit-ms", po::value<double>()->default_value(100), "a step is held below this p99")(
      "probe", po::value<int>()->default_value(0),
      "memory probe: this many idle connections, then as many streams (0: none)")(
      "server-pid", po::value<int>()->default_value(0), "irra's PID (RSS, CPU, open-file limit)")(
      "fd-reserve", po::value<int>()->default_value(200), "descriptors kept free on each side")(
      "seed", po::value<std::uint64_t>()->default_value(1), "random seed")(
      "out", po::value<std::string>(), "result JSON file");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    usage(std::string(e.what()) + "\n" + [&] {
      std::ostringstream o;
      o << desc;
      return o.str();
    }());
  }
  static const std::regex url_re(R"(https://([0-9.]+):(\d+)/?)");
  std::smatch m;
  const std::string url = vm["url"].as<std::string>();
  if (!std::regex_match(url, m, url_re)) usage("--url must be https://IPV4:PORT");
  std::vector<std::uint64_t> steps;
  for (const auto& s : split(vm["steps"].as<std::string>(), ',')) {
    if (!s.empty()) steps.push_back(std::stoull(s));
  }
  std::array<double, kind_count> mix{};
  const auto mix_parts = split(vm["mix"].as<std::string>(), ',');
  if (mix_parts.size() != kind_count) usage("--mix needs 6 weights");
  for (std::size_t i = 0; i < kind_count; ++i) mix[i] = std::stod(mix_parts[i]);
  const std::string model = vm["model"].as<std::string>();
  if (model != "browser" && model != "pooled") usage("--model is browser or pooled");
  const bool pooled = model == "pooled", streams = vm["streams"].as<int>() != 0;
  const int threads = std::max(1, vm["threads"].as<int>());
  const double hold = vm["hold"].as<double>(), warmup = vm["warmup"].as<double>();
  const double rpm = vm["requests-per-minute"].as<double>();
  const int per_source = std::max(1, vm["users-per-source"].as<int>());
  const int server_pid = vm["server-pid"].as<int>();
  const double p99_limit = vm["p99-limit-ms"].as<double>();
  const int probe = vm["probe"].as<int>();
  if (steps.empty() || hold <= 0 || rpm <= 0) usage("--steps, --hold and --requests-per-minute");

  const Dump dump = read_dump(vm["dump"].as<std::string>());
  const std::size_t first = vm["first-user"].as<std::size_t>();
  const std::size_t probe_users = probe > 0 ? static_cast<std::size_t>(probe + 199) / 200 : 0;
  const std::size_t available =
      dump.eligible.size() > first + probe_users ? dump.eligible.size() - first - probe_users : 0;

  // Descriptors: this process's soft limit goes up to its hard limit; the server's is read.
  const std::uint64_t own_fds = raise_open_file_limit();
  const std::uint64_t server_fds = server_pid > 0 ? open_file_limit(server_pid) : 0;
  const std::uint64_t fd_budget =
      std::min(own_fds, server_fds > 0 ? server_fds : own_fds) -
      static_cast<std::uint64_t>(vm["fd-reserve"].as<int>());
  const auto fds_for = [&](std::uint64_t users) {
    const std::uint64_t sources = (users + static_cast<std::uint64_t>(per_source) - 1) /
                                  static_cast<std::uint64_t>(per_source);
    return (streams ? users : 0) + (pooled ? sources : users);
  };

  boost::asio::ssl::context tls(boost::asio::ssl::context::tls_client);
  tls.set_verify_mode(boost::asio::ssl::verify_none);
  SSL_CTX_set_mode(tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);

  OtpBook otps(vm["notify"].as<std::string>());
  WorkerSettings ws;
  ws.server = tcp::endpoint(net::ip::make_address(m[1].str()),
                            static_cast<unsigned short>(std::stoi(m[2].str())));
  ws.host = m[1].str() + ":" + m[2].str();
  ws.pooled = pooled;
  ws.streams = streams;
  ws.period = std::chrono::nanoseconds(static_cast<std::int64_t>(60e9 / rpm));
  ws.mix = mix;
  ws.login_rate = vm["login-rate"].as<double>() / threads;
  ws.login_concurrency = std::max(1, vm["login-concurrency"].as<int>() / threads);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < threads; ++i) {
    ws.seed = vm["seed"].as<std::uint64_t>() * 1000 + static_cast<std::uint64_t>(i);
    workers.push_back(std::make_unique<Worker>(ws, tls, otps));
  }
  const std::uint32_t base = net::ip::make_address_v4(vm["source-base"].as<std::string>()).to_uint();

  json result = {{"model", model},
                 {"streams", streams},
                 {"requests_per_user_per_minute", rpm},
                 {"mix", {{"positions", mix[0]}, {"orders", mix[1]}, {"trades", mix[2]},
                          {"funds", mix[3]}, {"holdings", mix[4]}, {"square_off", mix[5]}}},
                 {"threads", threads},
                 {"users_per_source", per_source},
                 {"hold_s", hold},
                 {"warmup_s", warmup},
                 {"p99_limit_ms", p99_limit},
                 {"open_file_limit", {{"ours", own_fds}, {"server", server_fds}}},
                 {"eligible_clients", dump.eligible.size()}};
  const auto say = [](const std::string& s) { std::cerr << "capacity: " << s << std::endl; };

  // ------------------------------------------------------------ memory per connection
  if (probe > 0 && server_pid > 0) {
    const auto n = static_cast<std::uint64_t>(probe);
    if (2 * n > fd_budget) usage("--probe needs 2 x N descriptors; the budget is " + std::to_string(fd_budget));
    // Addresses of their own (base + 0x80.0.0 and up), 1,000 connections each.
    const std::uint32_t probe_base = base + (0x40u << 16);
    const auto before = sample_process(server_pid), self_before = sample_process(0);
    std::vector<std::vector<net::ip::address>> idle(workers.size());
    for (std::uint64_t i = 0; i < n; ++i) {
      idle[i % workers.size()].push_back(source_address(probe_base, i / 1000));
    }
    for (std::size_t w = 0; w < workers.size(); ++w) workers[w]->open_idle(std::move(idle[w]));
    wait_until([&] { auto t = totals(workers); return t.s.probe_ok + t.s.probe_failed >= n; }, 120);
    sleep_s(2);
    const auto after_idle = sample_process(server_pid), self_idle = sample_process(0);
    const auto t_idle = totals(workers);

    // Streams need sessions: a few probe users (from the end of the list), 200 streams each.
    std::vector<std::vector<UserSpec>> specs(workers.size());
    for (std::size_t i = 0; i < probe_users; ++i) {
      specs[i % workers.size()].push_back(
          {dump.eligible[dump.eligible.size() - 1 - i], source_address(probe_base + (0x10u << 16), i / 50), nullptr});
    }
    for (std::size_t w = 0; w < workers.size(); ++w) workers[w]->add_users(std::move(specs[w]), true);
    wait_until([&] { return totals(workers).s.login_pending == 0; }, 120);
    std::vector<std::string> cookies;
    for (auto& w : workers) {
      for (auto& c : w->probe_cookies()) cookies.push_back(std::move(c));
    }
    for (auto& w : workers) w->take_logins();
    json probe_json = {{"connections", n}, {"idle_connected", t_idle.s.probe_ok},
                       {"idle_failed", t_idle.s.probe_failed}};
    if (!cookies.empty()) {
      sleep_s(1);
      const auto before_streams = sample_process(server_pid), self_before_streams = sample_process(0);
      std::vector<std::vector<std::pair<net::ip::address, std::string>>> ss(workers.size());
      for (std::uint64_t i = 0; i < n; ++i) {
        ss[i % workers.size()].emplace_back(source_address(probe_base + (0x20u << 16), i / 1000),
                                            cookies[i % cookies.size()]);
      }
      for (std::size_t w = 0; w < workers.size(); ++w) workers[w]->open_probe_streams(std::move(ss[w]));
      wait_until([&] { auto t = totals(workers); return t.s.probe_streams.opened + t.s.probe_streams.failed >= n; }, 120);
      sleep_s(2);
      const auto after_streams = sample_process(server_pid), self_streams = sample_process(0);
      const auto t_streams = totals(workers);
      const auto per = [](std::uint64_t a, std::uint64_t b, std::uint64_t count) {
        return count == 0 ? 0.0 : round2((static_cast<double>(b) - static_cast<double>(a)) / static_cast<double>(count));
      };
      probe_json["streams_opened"] = t_streams.s.probe_streams.opened;
      probe_json["streams_failed"] = t_streams.s.probe_streams.failed;
      probe_json["server_kb_per_idle_tls"] = per(before.rss_kb, after_idle.rss_kb, t_idle.s.probe_ok);
      probe_json["server_kb_per_sse"] =
          per(before_streams.rss_kb, after_streams.rss_kb, t_streams.s.probe_streams.opened);
      probe_json["loadgen_kb_per_idle_tls"] = per(self_before.rss_kb, self_idle.rss_kb, t_idle.s.probe_ok);
      probe_json["loadgen_kb_per_sse"] =
          per(self_before_streams.rss_kb, self_streams.rss_kb, t_streams.s.probe_streams.opened);
      probe_json["server_rss_mb"] = {{"before", round2(before.rss_kb / 1024.0)},
                                     {"idle", round2(after_idle.rss_kb / 1024.0)},
                                     {"streams", round2(after_streams.rss_kb / 1024.0)}};
    }
    for (auto& w : workers) w->close_probe();
    say("memory probe: " + probe_json.dump());
    result["memory_probe"] = probe_json;
    sleep_s(2);
  }

  // ------------------------------------------------------------ the ramp
  json rows = json::array();
  std::uint64_t users = 0, held = 0;
  std::string stop_reason = "every step held";
  json login_total = {{"users", 0}, {"seconds", 0.0}};
  std::uint64_t window_id = 0;
  for (const auto target : steps) {
    if (target <= users) continue;
    if (target > available) {
      stop_reason = "the dump has " + std::to_string(available) + " eligible clients for the ramp";
      break;
    }
    if (fds_for(target) > fd_budget) {
      stop_reason = "descriptor limit: " + std::to_string(target) + " users need about " +
                    std::to_string(fds_for(target)) + " descriptors on each side; the limit is " +
                    std::to_string(fd_budget + static_cast<std::uint64_t>(vm["fd-reserve"].as<int>())) +
                    " (ulimit -n)";
      break;
    }
    // Logins of the new users, from their own source addresses.
    std::vector<std::vector<UserSpec>> specs(workers.size());
    for (std::uint64_t i = users; i < target; ++i) {
      const std::uint64_t s = i / static_cast<std::uint64_t>(per_source);
      const auto& ucc = dump.eligible[first + i];
      const auto p = dump.open_positions.find(ucc);
      specs[s % workers.size()].push_back(
          {ucc, source_address(base, s), p == dump.open_positions.end() ? nullptr : &p->second});
    }
    const auto login_start = Clock::now();
    const auto before = totals(workers).s;
    for (std::size_t w = 0; w < workers.size(); ++w) workers[w]->add_users(std::move(specs[w]), false);
    const double login_budget = 60 + static_cast<double>(target - users) / std::max(1.0, vm["login-rate"].as<double>() / 4);
    wait_until([&] { return totals(workers).s.login_pending == 0; }, login_budget, 0.1);
    const double login_s = std::chrono::duration<double>(Clock::now() - login_start).count();
    LoginStats logins;
    for (auto& w : workers) logins.merge(w->take_logins());
    std::sort(logins.latencies_us.begin(), logins.latencies_us.end());
    const auto after_login = totals(workers).s;
    const std::uint64_t logged = after_login.logged_in - before.logged_in;
    std::uint64_t login_errors = after_login.login_failed - before.login_failed + after_login.login_pending;
    if (after_login.login_pending > 0) logins.errors["login_timeout"] += after_login.login_pending;
    login_total["users"] = login_total["users"].get<std::uint64_t>() + logged;
    login_total["seconds"] = login_total["seconds"].get<double>() + login_s;
    users = target;

    sleep_s(warmup);
    ++window_id;
    const auto from = Clock::now() + std::chrono::milliseconds(100);
    const auto to = from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(hold));
    for (auto& w : workers) w->set_window(window_id, from, to);
    std::this_thread::sleep_until(from);
    const auto s0 = sample_process(server_pid), g0 = sample_process(0);
    const double m0 = machine_busy_s();
    const auto t0 = totals(workers).s;
    std::this_thread::sleep_until(to);
    const auto s1 = sample_process(server_pid), g1 = sample_process(0);
    const double m1 = machine_busy_s();
    const auto t1 = totals(workers).s;
    wait_until([&] { return totals(workers).s.in_flight == 0; }, 5);
    WindowStats win;
    for (auto& w : workers) win.merge(w->take_window());
    auto& lat = win.latencies_us;
    std::sort(lat.begin(), lat.end());

    const double p50 = percentile_ms(lat, 50), p99 = percentile_ms(lat, 99),
                 p999 = percentile_ms(lat, 99.9);
    const std::uint64_t errors = win.error_count() + login_errors;
    const std::uint64_t dropped = t1.streams.dropped - t0.streams.dropped;
    const std::uint64_t expected_streams = streams ? users - (after_login.login_failed) : 0;
    const bool streams_ok = !streams || (t1.streams.open >= expected_streams && dropped == 0);
    const bool ok = p99 < p99_limit && errors == 0 && streams_ok && win.scheduled > 0;
    auto all_errors = win.errors;
    for (const auto& [k, n] : logins.errors) all_errors[k] += n;
    if (win.unanswered) all_errors["unanswered"] += win.unanswered;
    json row = {
        {"users", users},
        {"logged_in", after_login.logged_in},
        {"login_s", round2(login_s)},
        {"login_per_s", round2(login_s > 0 ? static_cast<double>(logged) / login_s : 0)},
        {"login_p50_ms", round2(percentile_ms(logins.latencies_us, 50))},
        {"login_p99_ms", round2(percentile_ms(logins.latencies_us, 99))},
        {"offered_rps", round2(static_cast<double>(win.scheduled) / hold)},
        {"achieved_rps", round2(static_cast<double>(win.answered) / hold)},
        {"scheduled", win.scheduled},
        {"answered", win.answered},
        {"square_off_refused_ok", win.refused_ok},
        {"p50_ms", round2(p50)},
        {"p99_ms", round2(p99)},
        {"p999_ms", round2(p999)},
        {"max_ms", round2(lat.empty() ? 0 : static_cast<double>(lat.back()) / 1000)},
        {"errors", errors},
        {"errors_by_kind", errors_json(all_errors)},
        {"streams_open", t1.streams.open},
        {"streams_dropped", dropped},
        {"streams_failed", t1.streams.failed - t0.streams.failed},
        {"stream_drop_reasons", errors_json(t1.streams.drop_reasons)},
        {"stream_events", t1.streams.events - t0.streams.events},
        {"rss_mb", round2(s1.rss_kb / 1024.0)},
        {"server_cpu_cores", round2((s1.cpu_s - s0.cpu_s) / hold)},
        {"loadgen_cpu_cores", round2((g1.cpu_s - g0.cpu_s) / hold)},
        {"loadgen_rss_mb", round2(g1.rss_kb / 1024.0)},
        {"machine_busy_cores", round2((m1 - m0) / hold)},
        {"held", ok}};
    rows.push_back(row);
    std::ostringstream line;
    line << users << " users: " << row["offered_rps"] << " req/s offered, " << row["achieved_rps"]
         << " answered; p50 " << p50 << " ms, p99 " << p99 << " ms, p99.9 " << p999 << " ms; errors "
         << errors << (errors ? " " + errors_json(all_errors).dump() : "") << "; streams "
         << t1.streams.open << " open, " << dropped << " dropped"
         << (dropped ? " " + errors_json(t1.streams.drop_reasons).dump() : "") << "; server RSS " << row["rss_mb"]
         << " MB, CPU " << row["server_cpu_cores"] << " cores (loadgen " << row["loadgen_cpu_cores"]
         << ", machine " << row["machine_busy_cores"] << "); logins " << logged << " in " << round2(login_s)
         << " s" << (ok ? "  HELD" : "  NOT HELD");
    say(line.str());
    if (!ok) {
      stop_reason = p99 >= p99_limit ? "p99 above the limit" : errors ? "errors" : "streams lost";
      break;
    }
    held = users;
  }

  result["steps"] = rows;
  result["users_held"] = held;
  result["stop_reason"] = stop_reason;
  const double ls = login_total["seconds"].get<double>();
  login_total["per_s"] = round2(ls > 0 ? login_total["users"].get<double>() / ls : 0);
  result["logins"] = login_total;
  say("users held: " + std::to_string(held) + " (" + stop_reason + ")");
  for (auto& w : workers) w->stop();
  std::cout << result.dump() << "\n";
  if (vm.count("out")) std::ofstream(vm["out"].as<std::string>()) << result.dump(1) << "\n";
  return 0;
}
