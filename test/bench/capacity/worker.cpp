#include "worker.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

namespace irra::capacity {
namespace {

constexpr auto otp_poll = std::chrono::milliseconds(2);
constexpr int otp_tries = 5000;  // 10 s of polls
constexpr auto pace_tick = std::chrono::milliseconds(10);

std::string json_string(const std::string& body, const char* key) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// "__Host-irra_session=TOKEN; Secure; ..." -> "__Host-irra_session=TOKEN".
std::string session_cookie(const std::string& set_cookie) {
  static constexpr std::string_view name = "__Host-irra_session=";
  if (set_cookie.compare(0, name.size(), name) != 0) return {};
  return set_cookie.substr(0, set_cookie.find(';'));
}

}  // namespace

struct Worker::User {
  UserSpec spec;
  std::string cookie, csrf;
  std::shared_ptr<Channel> channel;
  std::shared_ptr<SseClient> stream;
  std::unique_ptr<net::steady_timer> timer;
  Clock::time_point next_due, login_started;
  std::size_t waiting = 0;  // requests not answered yet
  std::uint64_t keys = 0;   // Idempotency-Keys used
  bool probe = false;
};

void WindowStats::merge(WindowStats&& o) {
  latencies_us.insert(latencies_us.end(), o.latencies_us.begin(), o.latencies_us.end());
  scheduled += o.scheduled;
  answered += o.answered;
  ok += o.ok;
  refused_ok += o.refused_ok;
  unanswered += o.unanswered;
  for (std::size_t i = 0; i < kind_count; ++i) by_kind[i] += o.by_kind[i];
  for (const auto& [k, n] : o.errors) errors[k] += n;
}

std::uint64_t WindowStats::error_count() const {
  std::uint64_t n = unanswered;
  for (const auto& [k, v] : errors) n += v;
  return n;
}

void LoginStats::merge(LoginStats&& o) {
  latencies_us.insert(latencies_us.end(), o.latencies_us.begin(), o.latencies_us.end());
  for (const auto& [k, n] : o.errors) errors[k] += n;
}

double percentile_ms(const std::vector<std::int64_t>& sorted_us, double pct) {
  if (sorted_us.empty()) return 0;
  const auto rank =
      static_cast<std::size_t>(std::ceil(pct / 100.0 * static_cast<double>(sorted_us.size())));
  const std::size_t i = std::min(sorted_us.size() - 1, rank == 0 ? 0 : rank - 1);
  return static_cast<double>(sorted_us[i]) / 1000.0;
}

// ---------------------------------------------------------------- thread and calls

Worker::Worker(WorkerSettings settings, net::ssl::context& tls, OtpBook& otps)
    : settings_(std::move(settings)),
      tls_(tls),
      otps_(otps),
      work_(net::make_work_guard(ioc_)),
      rng_(settings_.seed),
      pick_kind_(settings_.mix.begin(), settings_.mix.end()),
      pacer_(ioc_),
      thread_([this] { ioc_.run(); }) {}

Worker::~Worker() { stop(); }

void Worker::stop() {
  if (stopped_) return;
  stopped_ = true;
  net::post(ioc_, [this] {
    pacer_.cancel();
    for (auto& u : users_) {
      if (u.timer) u.timer->cancel();
      if (u.stream) u.stream->close();
      if (u.channel) u.channel->close();
    }
    for (auto& [_, c] : pool_) c->close();
    for (auto& c : probe_channels_) c->close();
    for (auto& s : probe_streams_) s->close();
    work_.reset();
    ioc_.stop();
  });
  thread_.join();
}

void Worker::add_users(std::vector<UserSpec> specs, bool probe) {
  net::post(ioc_, [this, specs = std::move(specs), probe]() mutable {
    for (auto& s : specs) {
      auto& u = users_.emplace_back();
      u.spec = std::move(s);
      u.probe = probe;
      u.timer = std::make_unique<net::steady_timer>(ioc_);
      login_queue_.push_back(&u);
    }
    if (!pacing_) {
      pacing_ = true;
      last_pace_ = Clock::now();
      login_tokens_ = 1;
      pace_logins();
    }
  });
}

void Worker::set_window(std::uint64_t id, Clock::time_point from, Clock::time_point to) {
  call([&] {
    window_id_ = id;
    window_from_ = from;
    window_to_ = to;
    window_ = {};
    in_flight_ = 0;
  });
}

WindowStats Worker::take_window() {
  return call([&] {
    WindowStats out = std::move(window_);
    out.unanswered = in_flight_;
    window_ = {};
    window_id_ = 0;
    in_flight_ = 0;
    return out;
  });
}

LoginStats Worker::take_logins() {
  return call([&] { return std::exchange(logins_, {}); });
}

WorkerSnapshot Worker::snapshot() {
  return call([&] {
    WorkerSnapshot s;
    s.logged_in = logged_in_;
    s.login_failed = login_failed_;
    s.login_pending = login_queue_.size() + static_cast<std::uint64_t>(logins_active_);
    s.in_flight = in_flight_;
    s.streams = streams_;
    s.probe_ok = probe_ok_;
    s.probe_failed = probe_failed_;
    s.probe_streams = probe_counters_;
    return s;
  });
}

std::vector<std::string> Worker::probe_cookies() {
  return call([&] {
    std::vector<std::string> out;
    for (const auto& u : users_) {
      if (u.probe && !u.cookie.empty()) out.push_back(u.cookie);
    }
    return out;
  });
}

// ---------------------------------------------------------------- logins

// A token bucket refilled every 10 ms at login_rate, and at most login_concurrency logins
// under way: the server sees a steady stream of logins, not one burst per step.
void Worker::pace_logins() {
  const auto now = Clock::now();
  login_tokens_ = std::min(login_tokens_ + settings_.login_rate *
                                               std::chrono::duration<double>(now - last_pace_).count(),
                           std::max(1.0, settings_.login_rate * 0.05));
  last_pace_ = now;
  while (login_tokens_ >= 1 && logins_active_ < settings_.login_concurrency &&
         !login_queue_.empty()) {
    User& u = *login_queue_.front();
    login_queue_.pop_front();
    login_tokens_ -= 1;
    start_login(u);
  }
  if (login_queue_.empty() && logins_active_ == 0) {
    pacing_ = false;
    return;
  }
  pacer_.expires_after(pace_tick);
  pacer_.async_wait([this](beast::error_code ec) {
    if (!ec) pace_logins();
  });
}

std::shared_ptr<Channel> Worker::channel_for(const net::ip::address& source) {
  auto& c = pool_[source.to_string()];
  if (!c) c = std::make_shared<Channel>(ioc_, tls_, settings_.server, source);
  return c;
}

http::request<http::string_body> Worker::make(http::verb verb, std::string target, const User* u,
                                              std::string body) {
  http::request<http::string_body> req{verb, std::move(target), 11};
  req.set(http::field::host, settings_.host);
  req.set(http::field::user_agent, "irra-capacity");
  req.set(http::field::accept, "application/json");
  if (u && !u->cookie.empty()) req.set(http::field::cookie, u->cookie);
  if (verb == http::verb::post) {
    req.set(http::field::content_type, "application/json");
    if (u && !u->csrf.empty()) req.set("X-CSRF-Token", u->csrf);
  }
  req.body() = std::move(body);
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

void Worker::start_login(User& u) {
  ++logins_active_;
  u.login_started = Clock::now();
  // A browser keeps the connection it logged in on for its requests; pooled users log in
  // over their source address's shared connection.
  u.channel = settings_.pooled && !u.probe
                  ? channel_for(u.spec.source)
                  : std::make_shared<Channel>(ioc_, tls_, settings_.server, u.spec.source);
  request_otp(u);
}

void Worker::request_otp(User& u) {
  const std::string body = nlohmann::json{{"login", u.spec.ucc}}.dump();
  u.channel->submit({make(http::verb::post, "/api/v1/auth/otp", nullptr, body),
                     [this, &u](Answer&& a) {
                       if (!a.error.empty()) return login_failed(u, std::string("otp_") + a.error);
                       if (a.status != 202) {
                         return login_failed(u, "otp_http_" + std::to_string(a.status));
                       }
                       const auto challenge = json_string(a.body, "challenge_id");
                       if (challenge.empty()) return login_failed(u, "otp_no_challenge");
                       u.csrf = challenge;  // kept here until the code arrives
                       wait_otp(u, 0);
                     }});
}

void Worker::wait_otp(User& u, int tries) {
  if (auto otp = otps_.take(u.spec.ucc)) {
    const std::string challenge = std::move(u.csrf);
    u.csrf.clear();
    return login(u, challenge, *otp);
  }
  if (tries >= otp_tries) return login_failed(u, "otp_not_delivered");
  u.timer->expires_after(otp_poll);
  u.timer->async_wait([this, &u, tries](beast::error_code ec) {
    if (!ec) wait_otp(u, tries + 1);
  });
}

void Worker::login(User& u, const std::string& challenge, const std::string& otp) {
  const std::string body = nlohmann::json{{"challenge_id", challenge}, {"otp", otp}}.dump();
  u.channel->submit({make(http::verb::post, "/api/v1/auth/login", nullptr, body),
                     [this, &u](Answer&& a) { login_done(u, a); }});
}

void Worker::login_done(User& u, const Answer& a) {
  if (!a.error.empty()) return login_failed(u, std::string("login_") + a.error);
  if (a.status != 200) return login_failed(u, "login_http_" + std::to_string(a.status));
  u.cookie = session_cookie(a.set_cookie);
  u.csrf = json_string(a.body, "csrf_token");
  if (u.cookie.empty() || u.csrf.empty()) return login_failed(u, "login_no_session");
  --logins_active_;
  ++logged_in_;
  logins_.latencies_us.push_back(
      std::chrono::duration_cast<std::chrono::microseconds>(a.at - u.login_started).count());
  if (u.probe) {
    u.channel->close();
    u.channel.reset();
    return;
  }
  start_schedule(u);
}

void Worker::login_failed(User& u, std::string why) {
  --logins_active_;
  ++login_failed_;
  ++logins_.errors[why];
  if (u.channel && (u.probe || !settings_.pooled)) u.channel->close();
}

// ---------------------------------------------------------------- the schedule

void Worker::start_schedule(User& u) {
  if (settings_.pooled) u.channel = channel_for(u.spec.source);
  if (settings_.streams) {
    u.stream = std::make_shared<SseClient>(ioc_, tls_, settings_.server, u.spec.source, u.cookie,
                                           streams_);
    u.stream->start();
  }
  // A random phase within one period, so users do not ask in lockstep.
  std::uniform_int_distribution<std::int64_t> phase(0, settings_.period.count() - 1);
  u.next_due = Clock::now() + std::chrono::nanoseconds(phase(rng_));
  arm(u);
}

void Worker::arm(User& u) {
  u.timer->expires_at(u.next_due);
  u.timer->async_wait([this, &u](beast::error_code ec) {
    if (!ec) fire(u);
  });
}

void Worker::fire(User& u) {
  Due due;
  due.at = u.next_due;
  due.kind = static_cast<Kind>(pick_kind_(rng_));
  if (window_id_ != 0 && due.at >= window_from_ && due.at < window_to_) {
    due.window = window_id_;
    ++window_.scheduled;
    ++window_.by_kind[static_cast<std::size_t>(due.kind)];
  }
  u.next_due += settings_.period;
  arm(u);

  if (u.waiting >= settings_.max_waiting_per_user) {
    if (due.window != 0) ++window_.errors["not_sent_queue_full"];
    return;
  }
  http::request<http::string_body> req;
  switch (due.kind) {
    case Kind::positions: req = make(http::verb::get, "/api/v1/positions", &u); break;
    case Kind::orders: req = make(http::verb::get, "/api/v1/orders", &u); break;
    case Kind::trades: req = make(http::verb::get, "/api/v1/trades", &u); break;
    case Kind::funds: req = make(http::verb::get, "/api/v1/funds", &u); break;
    case Kind::holdings: req = make(http::verb::get, "/api/v1/holdings", &u); break;
    case Kind::square_off: {
      SquareOffTarget t{"NSE:RELIANCE", "MIS"};
      if (u.spec.positions && !u.spec.positions->empty()) {
        std::uniform_int_distribution<std::size_t> which(0, u.spec.positions->size() - 1);
        t = (*u.spec.positions)[which(rng_)];
      }
      req = make(http::verb::post, "/api/v1/positions/square-off", &u,
                 nlohmann::json{{"instrument", t.instrument}, {"product", t.product}}.dump());
      req.set("Idempotency-Key", "cap-" + u.spec.ucc + "-" + std::to_string(++u.keys));
      req.prepare_payload();
      break;
    }
  }
  ++u.waiting;
  if (due.window != 0) ++in_flight_;
  u.channel->submit({std::move(req), [this, &u, due](Answer&& a) { answered(u, due, std::move(a)); }});
}

// What counts: any 2xx; for a square-off also 422 no_position / increases_risk (the risk
// gate's correct answer to a position already closed or being closed). Everything else is
// an error by kind: a transport step, or the status with the answer's error code.
void Worker::answered(User& u, const Due& due, Answer&& a) {
  --u.waiting;
  if (due.window == 0 || due.window != window_id_) return;
  --in_flight_;
  if (!a.error.empty()) {
    ++window_.errors[a.error];
    return;
  }
  ++window_.answered;
  window_.latencies_us.push_back(
      std::chrono::duration_cast<std::chrono::microseconds>(a.at - due.at).count());
  if (a.status >= 200 && a.status < 300) {
    ++window_.ok;
    return;
  }
  const std::string code = json_string(a.body, "error");
  if (a.status == 422 && due.kind == Kind::square_off &&
      (code == "no_position" || code == "increases_risk")) {
    ++window_.ok;
    ++window_.refused_ok;
    return;
  }
  ++window_.errors["http_" + std::to_string(a.status) + (code.empty() ? "" : "_" + code)];
}

// ---------------------------------------------------------------- memory probe

void Worker::open_idle(std::vector<net::ip::address> sources) {
  net::post(ioc_, [this, sources = std::move(sources)] {
    for (const auto& s : sources) {
      auto c = std::make_shared<Channel>(ioc_, tls_, settings_.server, s);
      probe_channels_.push_back(c);
      c->submit({make(http::verb::get, "/healthz", nullptr), [this](Answer&& a) {
                   if (a.error.empty() && a.status == 200) {
                     ++probe_ok_;
                   } else {
                     ++probe_failed_;
                   }
                 }});
    }
  });
}

void Worker::open_probe_streams(std::vector<std::pair<net::ip::address, std::string>> streams) {
  net::post(ioc_, [this, streams = std::move(streams)] {
    for (const auto& [source, cookie] : streams) {
      auto s = std::make_shared<SseClient>(ioc_, tls_, settings_.server, source, cookie,
                                           probe_counters_);
      probe_streams_.push_back(s);
      s->start();
    }
  });
}

void Worker::close_probe() {
  call([&] {
    for (auto& c : probe_channels_) c->close();
    for (auto& s : probe_streams_) s->close();
    probe_channels_.clear();
    probe_streams_.clear();
  });
}

}  // namespace irra::capacity
