// An open-loop HTTPS load generator (irra-loadgen): requests are issued on a fixed schedule
// (request i at start + i / rate) whatever the server does, and each latency is counted from
// the request's scheduled time, not from when a connection was free to send it. A server
// that stalls therefore shows the stall as latency of every request due meanwhile, instead
// of hiding it as fewer requests (wrk's closed loop: "coordinated omission").
//
// Each Generator runs on its own io_context and thread, with its own keep-alive TLS
// connections; a request due while every connection is busy waits in a queue (its wait is
// part of its latency). Requests come from a list of templates used in turn.
//
// Thread rule: a Generator is used from the thread that runs its io_context only; results()
// after run() returned.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace irra::loadgen {

using Clock = std::chrono::steady_clock;

// One request as sent: method, target, headers and body. "{seq}" in the body or a header
// value is replaced by the request's sequence number (for Idempotency-Keys).
struct RequestTemplate {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8443";
  double rate = 100;  // requests per second, this generator's share
  std::chrono::milliseconds duration{10'000};
  std::chrono::milliseconds warmup{0};  // requests scheduled before this are not recorded
  int connections = 8;
  std::string source_address;  // bind the connections here (a loopback alias); empty: any
  std::uint64_t first_seq = 0;
  std::uint64_t seq_step = 1;  // generators interleave their sequence numbers
  std::size_t max_queue = 0;   // requests waiting for a connection; 0: rate x 10 s
};

struct Results {
  std::vector<std::int64_t> latencies_us;  // recorded requests, from their scheduled time
  std::map<int, std::uint64_t> statuses;   // HTTP status -> count (recorded requests)
  std::uint64_t scheduled = 0, sent = 0, completed = 0;
  std::uint64_t connection_errors = 0;  // connect, handshake, write or read failures
  std::uint64_t not_sent = 0;           // dropped: the queue was full, or still queued at the end
  std::uint64_t unanswered = 0;         // sent, no answer within 10 s of the schedule's end
  Clock::duration elapsed{};            // from the first scheduled request to the last answer

  void merge(Results&& other);
};

class Generator {
 public:
  Generator(Options options, std::vector<RequestTemplate> requests,
            boost::asio::ssl::context& tls);
  ~Generator();
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Connects, runs the schedule, waits up to 10 s for the last answers, closes. Blocks.
  void run();
  Results results() &&;

  struct Impl;  // opaque: open_loop.cpp's connections reach it

 private:
  std::unique_ptr<Impl> impl_;
};

// "50%" etc. of sorted latencies in ms; 0 when empty.
double percentile_ms(const std::vector<std::int64_t>& sorted_us, double pct);

}  // namespace irra::loadgen
