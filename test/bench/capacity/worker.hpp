// One thread of irra-capacity: an io_context and the simulated users assigned to it (all the
// users of a source address land on the same worker). A user logs in through the real API
// (code request, the code from the notification file, login), then holds its live-update
// stream and makes a request every `period` on its own schedule (open loop: a request due
// is issued on time whatever happened to the previous one, and its latency is counted from
// the time it was due).
//
// Thread rule: the public calls may be made from any thread; each one runs its work on the
// worker's thread (post) and the blocking ones wait for it. Users, channels and counters
// belong to the worker's thread; a user lives as long as the worker.
#pragma once

#include <array>
#include <deque>
#include <future>
#include <map>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include "channel.hpp"
#include "otp_book.hpp"
#include "sse_client.hpp"

namespace irra::capacity {

enum class Kind { positions, orders, trades, funds, holdings, square_off };
inline constexpr std::size_t kind_count = 6;
inline constexpr const char* kind_names[kind_count] = {"positions", "orders",   "trades",
                                                       "funds",     "holdings", "square_off"};

struct SquareOffTarget {
  std::string instrument, product;
};

struct UserSpec {
  std::string ucc;
  net::ip::address source;
  const std::vector<SquareOffTarget>* positions = nullptr;  // its open positions (may be empty)
};

struct WorkerSettings {
  tcp::endpoint server;
  std::string host;  // Host header
  bool pooled = false;  // requests share one connection per source address
  bool streams = true;  // each user holds GET /api/v1/stream
  std::chrono::nanoseconds period{std::chrono::seconds(6)};  // between a user's requests
  std::array<double, kind_count> mix{35, 20, 15, 15, 14, 1};  // weights
  double login_rate = 100;  // logins started per second, this worker's share
  int login_concurrency = 32;
  std::size_t max_waiting_per_user = 20;  // a user's requests not answered yet
  std::uint64_t seed = 1;
};

// Requests whose scheduled time fell in a measurement window.
struct WindowStats {
  std::vector<std::int64_t> latencies_us;  // every answered request, from its scheduled time
  std::uint64_t scheduled = 0, answered = 0, ok = 0, refused_ok = 0, unanswered = 0;
  std::array<std::uint64_t, kind_count> by_kind{};
  std::map<std::string, std::uint64_t> errors;
  void merge(WindowStats&& other);
  std::uint64_t error_count() const;
};

struct LoginStats {
  std::vector<std::int64_t> latencies_us;  // code request to session cookie
  std::map<std::string, std::uint64_t> errors;
  void merge(LoginStats&& other);
};

struct WorkerSnapshot {
  std::uint64_t logged_in = 0, login_failed = 0, login_pending = 0, in_flight = 0;
  StreamCounters streams;
  std::uint64_t probe_ok = 0, probe_failed = 0;
  StreamCounters probe_streams;
};

class Worker {
 public:
  Worker(WorkerSettings settings, net::ssl::context& tls, OtpBook& otps);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Queues logins; a logged-in user starts its schedule (probe users only keep the cookie).
  void add_users(std::vector<UserSpec> users, bool probe);
  void set_window(std::uint64_t id, Clock::time_point from, Clock::time_point to);
  WindowStats take_window();
  LoginStats take_logins();
  WorkerSnapshot snapshot();
  std::vector<std::string> probe_cookies();

  // The memory probe: idle keep-alive connections (one GET /healthz each), then streams.
  void open_idle(std::vector<net::ip::address> sources);
  void open_probe_streams(std::vector<std::pair<net::ip::address, std::string>> streams);
  void close_probe();

  void stop();  // closes every connection and ends the thread

 private:
  struct User;
  struct Due {
    Clock::time_point at;
    Kind kind = Kind::positions;
    std::uint64_t window = 0;  // 0: not recorded
  };

  template <class F>
  auto call(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    net::post(ioc_, [&task] { task(); });
    return result.get();
  }

  void pace_logins();
  void start_login(User& u);
  void request_otp(User& u);
  void wait_otp(User& u, int tries);
  void login(User& u, const std::string& challenge, const std::string& otp);
  void login_done(User& u, const Answer& a);
  void login_failed(User& u, std::string why);
  void start_schedule(User& u);
  void arm(User& u);
  void fire(User& u);
  void answered(User& u, const Due& due, Answer&& a);
  std::shared_ptr<Channel> channel_for(const net::ip::address& source);
  http::request<http::string_body> make(http::verb verb, std::string target, const User* u,
                                        std::string body = {});

  WorkerSettings settings_;
  net::ssl::context& tls_;
  OtpBook& otps_;
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::mt19937_64 rng_;
  std::discrete_distribution<int> pick_kind_;
  std::deque<User> users_;
  std::deque<User*> login_queue_;
  int logins_active_ = 0;
  double login_tokens_ = 0;
  Clock::time_point last_pace_;
  net::steady_timer pacer_;
  bool pacing_ = false;
  std::unordered_map<std::string, std::shared_ptr<Channel>> pool_;  // by source address
  std::uint64_t logged_in_ = 0, login_failed_ = 0, in_flight_ = 0, seq_ = 0;
  StreamCounters streams_;
  std::uint64_t window_id_ = 0;
  Clock::time_point window_from_, window_to_;
  WindowStats window_;
  LoginStats logins_;
  std::vector<std::shared_ptr<Channel>> probe_channels_;
  std::vector<std::shared_ptr<SseClient>> probe_streams_;
  std::uint64_t probe_ok_ = 0, probe_failed_ = 0;
  StreamCounters probe_counters_;
  bool stopped_ = false;
  std::thread thread_;
};

double percentile_ms(const std::vector<std::int64_t>& sorted_us, double pct);

}  // namespace irra::capacity
