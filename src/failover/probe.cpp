#include "irra/failover/probe.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <stdexcept>

#include "health_check.hpp"

namespace net = boost::asio;
namespace ssl = net::ssl;

namespace irra::failover {
namespace {

domain::Timestamp wall_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<ssl::context> client_tls(const ProbeOptions& options) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  ctx->set_default_verify_paths(ec);  // honours SSL_CERT_FILE / SSL_CERT_DIR
  if (ec)
    throw std::runtime_error("failover probe: cannot load the system CA store: " + ec.message());
  if (!options.ca_file.empty()) {
    ctx->load_verify_file(options.ca_file.string(), ec);
    if (ec) {
      throw std::runtime_error("failover probe: cannot load " + options.ca_file.string() + ": " +
                               ec.message());
    }
  }
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

}  // namespace

std::string_view name(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return "ok";
    case Outcome::http_error:
      return "http_error";
    case Outcome::timeout:
      return "timeout";
    case Outcome::connect_error:
      return "connect_error";
    case Outcome::dns_error:
      return "dns_error";
    case Outcome::tls_error:
      return "tls_error";
    case Outcome::io_error:
      return "io_error";
  }
  return "io_error";
}

struct Probe::Dns {
  explicit Dns(const net::any_io_executor& ex) : resolver(ex) {}
  net::ip::tcp::resolver resolver;
  std::vector<net::ip::tcp::endpoint> endpoints;
  bool literal = false;
  bool resolving = false;
  bool failing = false;
};

struct Probe::Round {
  std::uint64_t number = 0;
  domain::Timestamp at = 0;
  std::chrono::steady_clock::time_point started{};
  std::vector<CheckResult> results;
  std::vector<std::weak_ptr<detail::HealthCheck>> checks;
  std::size_t remaining = 0;
};

Probe::Probe(net::any_io_executor executor, ProbeOptions options)
    : executor_(std::move(executor)), options_(std::move(options)), timer_(executor_) {
  bool any_tls = false;
  for (const auto& url : options_.urls) {
    std::string error;
    auto target = parse_probe_url(url, error);
    if (!target) throw std::invalid_argument("failover probe URL '" + url + "': " + error);
    any_tls = any_tls || target->tls;
    auto dns = std::make_unique<Dns>(executor_);
    boost::system::error_code ec;
    const auto address = net::ip::make_address(target->host, ec);
    if (!ec) {
      dns->literal = true;
      dns->endpoints.emplace_back(address, static_cast<unsigned short>(std::stoi(target->port)));
    }
    dns_.push_back(std::move(dns));
    TargetStats ts;
    ts.url = target->url;
    stats_.targets.push_back(std::move(ts));
    targets_.push_back(std::move(*target));
  }
  if (any_tls) tls_ = client_tls(options_);
}

Probe::~Probe() {
  for (auto& d : dns_) d->resolver.cancel();
  if (current_) {
    for (auto& weak : current_->checks) {
      if (auto check = weak.lock()) check->cancel();
    }
  }
}

void Probe::start(RoundHandler on_round) {
  if (targets_.empty()) return;
  on_round_ = std::move(on_round);
  running_ = true;
  next_ = std::chrono::steady_clock::now();
  run_round();
}

void Probe::stop() {
  running_ = false;
  timer_.cancel();
  for (auto& d : dns_) d->resolver.cancel();
  if (current_) {
    for (auto& weak : current_->checks) {
      if (auto check = weak.lock()) check->cancel();
    }
    current_.reset();
  }
}

void Probe::schedule() {
  // Fixed rate; after a stall (a busy reactor), start again from now rather than race.
  next_ += options_.interval;
  const auto now = std::chrono::steady_clock::now();
  if (next_ < now) next_ = now;
  timer_.expires_at(next_);
  timer_.async_wait(
      [this, alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired() || !running_) return;
        run_round();
      });
}

void Probe::run_round() {
  auto round = std::make_shared<Round>();
  round->number = ++round_counter_;
  round->at = wall_now();
  round->started = std::chrono::steady_clock::now();
  round->results.resize(targets_.size());
  round->remaining = targets_.size();
  current_ = round;
  const auto deadline = round->started + options_.timeout;
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    if (!dns_[i]->literal && !dns_[i]->resolving) refresh(i);
    round->checks.push_back(detail::start_check(
        executor_, tls_, targets_[i], dns_[i]->endpoints, deadline, options_.user_agent,
        [this, alive = std::weak_ptr<int>(alive_), round, i](CheckResult r) {
          if (alive.expired()) return;
          on_check(round, i, std::move(r));
        }));
  }
  schedule();
}

void Probe::refresh(std::size_t index) {
  auto& d = *dns_[index];
  d.resolving = true;
  d.resolver.async_resolve(
      targets_[index].host, targets_[index].port,
      [this, alive = std::weak_ptr<int>(alive_), index](
          const boost::system::error_code& ec, net::ip::tcp::resolver::results_type results) {
        if (alive.expired()) return;
        auto& dns = *dns_[index];
        dns.resolving = false;
        if (ec == net::error::operation_aborted) return;
        if (ec || results.empty()) {
          if (!dns.failing) {
            spdlog::warn("failover probe {}: DNS lookup failed ({}){}", targets_[index].url,
                         ec ? ec.message() : "no address",
                         dns.endpoints.empty() ? "" : "; probing the last known addresses");
          }
          dns.failing = true;
          return;
        }
        if (dns.failing) spdlog::info("failover probe {}: DNS answers again", targets_[index].url);
        dns.failing = false;
        dns.endpoints.assign(results.begin(), results.end());
      });
}

void Probe::on_check(const std::shared_ptr<Round>& round, std::size_t index, CheckResult result) {
  auto& ts = stats_.targets[index];
  ++ts.results[static_cast<std::size_t>(result.outcome)];
  const bool was_ok = !ts.seen || ts.last.outcome == Outcome::ok;
  const bool is_ok = result.outcome == Outcome::ok;
  if (was_ok && !is_ok) {
    spdlog::warn("failover probe {}: failing ({})", ts.url, result.error);
  } else if (ts.seen && !was_ok && is_ok) {
    spdlog::info("failover probe {}: healthy again (HTTP {})", ts.url, result.status);
  } else if (!ts.seen && is_ok) {
    spdlog::info("failover probe {}: healthy (HTTP {})", ts.url, result.status);
  }
  ts.last = result;
  ts.seen = true;
  round->results[index] = std::move(result);
  if (--round->remaining == 0) finish_round(*round);
}

void Probe::finish_round(Round& round) {
  if (current_.get() == &round) current_.reset();
  if (!running_) return;
  RoundResult r;
  r.round = round.number;
  r.at = round.at;
  r.latency = std::chrono::steady_clock::now() - round.started;
  for (const auto& c : round.results) r.failed += c.outcome == Outcome::ok ? 0 : 1;
  r.down = r.failed * 2 > round.results.size();
  r.results = std::move(round.results);
  ++stats_.rounds;
  stats_.rounds_down += r.down ? 1 : 0;
  stats_.last_round_latency = r.latency;
  stats_.last_round_at = r.at;
  if (on_round_) on_round_(r);
}

}  // namespace irra::failover
