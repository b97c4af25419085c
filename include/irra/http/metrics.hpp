// Counters of the HTTP server: requests and latency by route pattern and status,
// connections, open streams, and abnormal connection errors. The metrics module renders
// them on /metrics.
//
// Thread rule: every member is safe to call from any thread (atomics, and one mutex
// held only to find or insert a series).
#pragma once

#include <array>
#include <atomic>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace irra::http {

class HttpMetrics {
 public:
  static constexpr std::array<double, 12> latency_buckets{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0};

  void record_request(std::string_view route, std::string_view method, unsigned status,
                      std::chrono::nanoseconds latency);
  void connection_opened() {
    ++connections_total_;
    ++connections_open_;
  }
  void connection_closed() { --connections_open_; }
  void connection_refused() { ++connections_refused_; }
  void stream_opened() { ++streams_open_; }
  void stream_closed() { --streams_open_; }
  void accept_error() { ++accept_errors_; }
  // A connection ended on an error that is not part of normal life (see is_normal_close).
  void connection_error(std::string_view op, const boost::system::error_code& ec);

  std::int64_t connections_open() const { return connections_open_.load(); }
  std::uint64_t connections_refused() const { return connections_refused_.load(); }
  std::int64_t streams_open() const { return streams_open_.load(); }
  std::uint64_t requests(std::string_view route, std::string_view method, unsigned status) const;
  std::uint64_t errors_total() const;

  // Appends Prometheus text exposition of every counter above.
  void render_prometheus(std::string& out) const;

 private:
  struct Series {
    std::uint64_t count = 0;
    double sum_seconds = 0;
    std::array<std::uint64_t, latency_buckets.size()> buckets{};
  };
  using Key = std::tuple<std::string, std::string, unsigned>;  // route, method, status

  mutable std::mutex mutex_;
  std::map<Key, Series, std::less<>> requests_;                          // GUARDED_BY(mutex_)
  std::map<std::pair<std::string, std::string>, std::uint64_t> errors_;  // GUARDED_BY(mutex_)
  std::atomic<std::uint64_t> connections_total_{0};
  std::atomic<std::int64_t> connections_open_{0};
  std::atomic<std::uint64_t> connections_refused_{0};
  std::atomic<std::uint64_t> accept_errors_{0};
  std::atomic<std::int64_t> streams_open_{0};
};

// True for the ways a connection normally ends: peer closed or reset, our own shutdown
// (operation_aborted), TLS stream truncated, end of stream. Timeouts are judged by the
// session (normal while idle, counted in any other phase).
bool is_normal_close(const boost::system::error_code& ec);

}  // namespace irra::http
