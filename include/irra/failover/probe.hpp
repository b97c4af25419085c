// The health probe: every `interval` one round, in which each target gets an asynchronous
// GET at the same time (Beast; HTTPS verifies the peer against the system's trust store
// and the host name), each bounded by `timeout` for DNS, connect, TLS handshake and the
// response header together. A 2xx status is good; anything else (another status, DNS
// failure, refused connection, TLS failure, timeout) counts against the target. A round is
// "down" when a strict majority of the targets failed, so one unreachable target of three
// never counts as the main site failing. Rounds start at a fixed rate and never overlap
// (timeout < interval).
//
// Host names are resolved with async_resolve at every round, beside the checks; a check uses
// the last addresses that resolved, so a local resolver that fails or hangs (a cancelled
// getaddrinfo() only ends when it returns) does not count against the main site once a
// name has resolved. Before the first answer a check resolves by itself (dns_error).
//
// The probe only reports rounds; judging the main site (thresholds) is SiteJudge's job.
//
// Thread rule: construct, start(), stop() and read stats() on `executor` (the trading
// strand); every socket, timer and completion runs there, and nothing blocks it (DNS via
// async_resolve). Destroy after stop() or with the reactor stopped; a liveness token
// guards completions that arrive later.
#pragma once

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "irra/domain/timestamp.hpp"
#include "irra/failover/probe_target.hpp"

namespace boost::asio::ssl {
class context;
}

namespace irra::failover {

// How one check ended (the metrics' "result" label).
enum class Outcome { ok, http_error, timeout, connect_error, dns_error, tls_error, io_error };
inline constexpr std::size_t outcome_count = 7;
std::string_view name(Outcome outcome);

struct CheckResult {
  Outcome outcome = Outcome::ok;
  unsigned status = 0;  // the HTTP status when one was read
  std::chrono::steady_clock::duration latency{};
  std::string error;  // "" when ok; else a short reason for the log
};

struct RoundResult {
  std::uint64_t round = 0;           // 1, 2, 3...
  domain::Timestamp at = 0;          // wall-clock start of the round
  std::vector<CheckResult> results;  // one per target, in the configured order
  std::size_t failed = 0;
  bool down = false;                              // failed * 2 > targets
  std::chrono::steady_clock::duration latency{};  // start to last answer
};

struct ProbeOptions {
  std::vector<std::string> urls;
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{800};
  // Extra trust anchors (PEM) on top of the system store; tests use it for their own
  // self-signed server. In production, add the CA to the system store instead (or point
  // the SSL_CERT_FILE environment variable at a bundle).
  std::filesystem::path ca_file;
  std::string user_agent = "irra-probe";
};

// Counters since start (per target, same order as the URLs).
struct TargetStats {
  std::string url;  // redacted
  std::array<std::uint64_t, outcome_count> results{};
  CheckResult last;
  bool seen = false;  // at least one check finished
};
struct ProbeStats {
  std::uint64_t rounds = 0;
  std::uint64_t rounds_down = 0;
  std::chrono::steady_clock::duration last_round_latency{};
  domain::Timestamp last_round_at = 0;
  std::vector<TargetStats> targets;
};

class Probe {
 public:
  using RoundHandler = std::function<void(const RoundResult&)>;

  // Throws std::invalid_argument (one line naming the URL) for an unusable URL, and
  // std::runtime_error when the TLS context cannot be set up.
  Probe(boost::asio::any_io_executor executor, ProbeOptions options);
  ~Probe();
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  // The first round starts at once; `on_round` gets every finished round.
  void start(RoundHandler on_round);
  // Cancels the timer and the checks in flight (their round is not reported).
  void stop();

  const ProbeStats& stats() const { return stats_; }
  const std::vector<ProbeTarget>& targets() const { return targets_; }
  const ProbeOptions& options() const { return options_; }

 private:
  struct Round;
  struct Dns;  // per target: an address literal's endpoint, or the last resolved addresses
  void refresh(std::size_t index);
  void schedule();
  void run_round();
  void on_check(const std::shared_ptr<Round>& round, std::size_t index, CheckResult result);
  void finish_round(Round& round);

  boost::asio::any_io_executor executor_;
  ProbeOptions options_;
  std::vector<ProbeTarget> targets_;
  std::vector<std::unique_ptr<Dns>> dns_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point next_{};
  RoundHandler on_round_;
  std::shared_ptr<Round> current_;
  std::uint64_t round_counter_ = 0;
  bool running_ = false;
  ProbeStats stats_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace irra::failover
