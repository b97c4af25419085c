#include "open_loop.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>

namespace irra::loadgen {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

struct Due {
  std::uint64_t seq = 0;
  Clock::time_point at;
  bool record = false;
};

std::string substitute(std::string text, std::uint64_t seq) {
  static constexpr std::string_view mark = "{seq}";
  const std::string value = std::to_string(seq);
  for (auto at = text.find(mark); at != std::string::npos; at = text.find(mark, at + value.size())) {
    text.replace(at, mark.size(), value);
  }
  return text;
}

}  // namespace

void Results::merge(Results&& other) {
  latencies_us.insert(latencies_us.end(), other.latencies_us.begin(), other.latencies_us.end());
  for (const auto& [status, n] : other.statuses) statuses[status] += n;
  scheduled += other.scheduled;
  sent += other.sent;
  completed += other.completed;
  connection_errors += other.connection_errors;
  not_sent += other.not_sent;
  unanswered += other.unanswered;
  elapsed = std::max(elapsed, other.elapsed);
}

double percentile_ms(const std::vector<std::int64_t>& sorted_us, double pct) {
  if (sorted_us.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(pct / 100.0 * static_cast<double>(sorted_us.size())));
  const std::size_t i = std::min(sorted_us.size() - 1, rank == 0 ? 0 : rank - 1);
  return static_cast<double>(sorted_us[i]) / 1000.0;
}

// ---------------------------------------------------------------- one connection

class Connection;

struct Generator::Impl {
  Impl(Options o, std::vector<RequestTemplate> r, net::ssl::context& t)
      : options(std::move(o)), requests(std::move(r)), tls(t), timer(ioc) {}

  void start();
  void tick();
  void dispatch();
  void idle(const std::shared_ptr<Connection>& c);
  void maybe_finish();
  void finish();

  Options options;
  std::vector<RequestTemplate> requests;
  net::ssl::context& tls;
  net::io_context ioc;
  net::steady_timer timer;
  tcp::resolver::results_type endpoints;
  std::vector<std::shared_ptr<Connection>> connections;
  std::deque<std::shared_ptr<Connection>> idle_connections;
  std::deque<Due> queue;
  Clock::time_point start_at, last_answer;
  std::uint64_t total = 0, next_index = 0;
  std::size_t busy = 0;
  bool scheduling_done = false, finished = false;
  Results results;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(Generator::Impl& g) : g_(g), stream_(g.ioc, g.tls) {}

  void connect() {
    stream_ = beast::ssl_stream<beast::tcp_stream>(g_.ioc, g_.tls);
    buffer_.clear();
    if (!g_.options.source_address.empty()) {
      beast::error_code ec;
      auto& socket = beast::get_lowest_layer(stream_).socket();
      const auto address = net::ip::make_address(g_.options.source_address, ec);
      if (!ec) socket.open(address.is_v4() ? tcp::v4() : tcp::v6(), ec);
      if (!ec) socket.bind(tcp::endpoint(address, 0), ec);
      if (ec) return fail(ec);
    }
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(stream_).async_connect(
        g_.endpoints, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
          self->on_connect(ec);
        });
  }

  void send(Due due) {
    due_ = due;
    in_flight_ = true;
    const RequestTemplate& t = g_.requests[due.seq % g_.requests.size()];
    req_ = {};
    req_.method_string(t.method);
    req_.target(t.target);
    req_.version(11);
    req_.set(http::field::host, g_.options.host);
    req_.keep_alive(true);
    for (const auto& [name, value] : t.headers) req_.set(name, substitute(value, due.seq));
    if (!t.body.empty()) req_.body() = substitute(t.body, due.seq);
    req_.prepare_payload();
    ++g_.results.sent;
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

 private:
  void on_connect(beast::error_code ec) {
    if (ec) return fail(ec);
    stream_.async_handshake(net::ssl::stream_base::client,
                            [self = shared_from_this()](beast::error_code e) { self->on_handshake(e); });
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return fail(ec);
    g_.idle(shared_from_this());
  }

  void on_write(beast::error_code ec) {
    if (ec) return fail(ec);
    parser_.emplace();
    parser_->body_limit(64 * 1024 * 1024);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code e, std::size_t) {
      self->on_read(e);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) return fail(ec);
    const auto now = Clock::now();
    in_flight_ = false;
    answered(now, parser_->get().result_int());
    if (parser_->get().keep_alive()) {
      g_.idle(shared_from_this());
    } else if (!g_.finished) {
      connect();
    }
  }

  void answered(Clock::time_point now, int status) {
    auto& r = g_.results;
    ++r.completed;
    --g_.busy;
    g_.last_answer = now;
    if (!due_.record) return;
    ++r.statuses[status];
    if (status != 0) {
      r.latencies_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(now - due_.at).count());
    }
  }

  // A failed connection: the request in flight counts as an error (status 0); reconnect
  // after a short pause unless the run is over.
  void fail(beast::error_code) {
    if (g_.finished) return;  // closed by finish()
    ++g_.results.connection_errors;
    if (in_flight_) {
      in_flight_ = false;
      answered(Clock::now(), 0);
    }
    pause_.expires_after(std::chrono::milliseconds(100));
    pause_.async_wait([self = shared_from_this()](beast::error_code e) {
      if (!e && !self->g_.finished) self->connect();
    });
    g_.maybe_finish();
  }

 public:
  void close() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().close(ec);
    pause_.cancel();
  }

 private:
  Generator::Impl& g_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::optional<http::response_parser<http::string_body>> parser_;
  net::steady_timer pause_{g_.ioc};
  Due due_;
  bool in_flight_ = false;
};

// ---------------------------------------------------------------- the schedule

void Generator::Impl::start() {
  tcp::resolver resolver(ioc);
  endpoints = resolver.resolve(options.host, options.port);
  total = static_cast<std::uint64_t>(std::llround(options.rate * std::chrono::duration<double>(options.duration).count()));
  results.scheduled = total;
  if (options.max_queue == 0) options.max_queue = static_cast<std::size_t>(std::max(100.0, options.rate * 10));
  for (int i = 0; i < options.connections; ++i) {
    connections.push_back(std::make_shared<Connection>(*this));
    connections.back()->connect();
  }
  // The schedule starts once the connections had a moment to open (their handshakes are
  // not part of any request's latency).
  start_at = Clock::now() + std::chrono::milliseconds(500);
  timer.expires_at(start_at);
  timer.async_wait([this](beast::error_code ec) {
    if (!ec) tick();
  });
}

void Generator::Impl::tick() {
  const auto now = Clock::now();
  const double period_ns = 1e9 / options.rate;
  auto due_at = [&](std::uint64_t i) {
    return start_at + std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(i) * period_ns));
  };
  while (next_index < total && due_at(next_index) <= now) {
    const auto at = due_at(next_index);
    const Due due{options.first_seq + next_index * options.seq_step, at, at - start_at >= options.warmup};
    ++next_index;
    if (queue.size() >= options.max_queue) {
      ++results.not_sent;
      continue;
    }
    queue.push_back(due);
  }
  dispatch();
  if (next_index < total) {
    timer.expires_at(due_at(next_index));
    timer.async_wait([this](beast::error_code ec) {
      if (!ec) tick();
    });
    return;
  }
  scheduling_done = true;
  // The last answers get 10 s; whatever is still queued or in flight then is not counted.
  timer.expires_after(std::chrono::seconds(10));
  timer.async_wait([this](beast::error_code ec) {
    if (!ec) finish();
  });
  maybe_finish();
}

void Generator::Impl::dispatch() {
  while (!queue.empty() && !idle_connections.empty()) {
    auto c = std::move(idle_connections.front());
    idle_connections.pop_front();
    ++busy;
    c->send(queue.front());
    queue.pop_front();
  }
}

void Generator::Impl::idle(const std::shared_ptr<Connection>& c) {
  if (finished) return;
  idle_connections.push_back(c);
  dispatch();
  maybe_finish();
}

void Generator::Impl::maybe_finish() {
  if (scheduling_done && queue.empty() && busy == 0) finish();
}

void Generator::Impl::finish() {
  if (finished) return;
  finished = true;
  results.not_sent += queue.size();
  results.unanswered += busy;
  queue.clear();
  results.elapsed = (last_answer > start_at ? last_answer : Clock::now()) - start_at;
  timer.cancel();
  idle_connections.clear();
  for (auto& c : connections) c->close();
}

// ---------------------------------------------------------------- Generator

Generator::Generator(Options options, std::vector<RequestTemplate> requests, net::ssl::context& tls)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(requests), tls)) {}

Generator::~Generator() = default;

void Generator::run() {
  impl_->start();
  impl_->ioc.run();
}

Results Generator::results() && {
  return std::move(impl_->results);
}

}  // namespace irra::loadgen
