#include "irra/http/metrics.hpp"

#include <fmt/format.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

namespace irra::http {
namespace {

// Prometheus label values escape backslash, quote and newline.
std::string label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

bool is_normal_close(const boost::system::error_code& ec) {
  namespace net = boost::asio;
  return ec == net::error::operation_aborted || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::not_connected || ec == net::ssl::error::stream_truncated ||
         ec == boost::beast::http::error::end_of_stream;
}

void HttpMetrics::record_request(std::string_view route, std::string_view method, unsigned status,
                                 std::chrono::nanoseconds latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard lock(mutex_);
  auto it = requests_.find(std::make_tuple(route, method, status));
  if (it == requests_.end()) {
    it = requests_.emplace(Key{std::string(route), std::string(method), status}, Series{}).first;
  }
  Series& s = it->second;
  ++s.count;
  s.sum_seconds += seconds;
  for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
    if (seconds <= latency_buckets[i]) {
      ++s.buckets[i];
      break;  // stored per bucket, accumulated when rendered
    }
  }
}

void HttpMetrics::connection_error(std::string_view op, const boost::system::error_code& ec) {
  std::lock_guard lock(mutex_);
  ++errors_[{std::string(op), ec.message()}];
}

std::uint64_t HttpMetrics::requests(std::string_view route, std::string_view method,
                                    unsigned status) const {
  std::lock_guard lock(mutex_);
  const auto it = requests_.find(std::make_tuple(route, method, status));
  return it == requests_.end() ? 0 : it->second.count;
}

std::uint64_t HttpMetrics::errors_total() const {
  std::lock_guard lock(mutex_);
  std::uint64_t n = 0;
  for (const auto& [key, count] : errors_) n += count;
  return n;
}

void HttpMetrics::render_prometheus(std::string& out) const {
  std::lock_guard lock(mutex_);
  out += "# HELP irra_http_requests_total HTTP requests by route pattern, method and status.\n";
  out += "# TYPE irra_http_requests_total counter\n";
  for (const auto& [key, s] : requests_) {
    const auto& [route, method, status] = key;
    out += fmt::format("irra_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                       label(route), label(method), status, s.count);
  }
  out += "# HELP irra_http_request_duration_seconds HTTP request latency, read to response.\n";
  out += "# TYPE irra_http_request_duration_seconds histogram\n";
  for (const auto& [key, s] : requests_) {
    const auto& [route, method, status] = key;
    const std::string labels = fmt::format("route=\"{}\",method=\"{}\",status=\"{}\"", label(route),
                                           label(method), status);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
      cumulative += s.buckets[i];
      out += fmt::format("irra_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels,
                         latency_buckets[i], cumulative);
    }
    out += fmt::format("irra_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels,
                       s.count);
    out += fmt::format("irra_http_request_duration_seconds_sum{{{}}} {}\n", labels, s.sum_seconds);
    out += fmt::format("irra_http_request_duration_seconds_count{{{}}} {}\n", labels, s.count);
  }
  out += "# HELP irra_http_connections_open Open HTTP connections.\n";
  out += "# TYPE irra_http_connections_open gauge\n";
  out += fmt::format("irra_http_connections_open {}\n", connections_open_.load());
  out += "# HELP irra_http_connections_total Accepted HTTP connections.\n";
  out += "# TYPE irra_http_connections_total counter\n";
  out += fmt::format("irra_http_connections_total {}\n", connections_total_.load());
  out += "# HELP irra_http_connections_refused_total Connections closed at once: limit reached.\n";
  out += "# TYPE irra_http_connections_refused_total counter\n";
  out += fmt::format("irra_http_connections_refused_total {}\n", connections_refused_.load());
  out += "# HELP irra_http_streams_open Open streaming responses (Server-Sent Events).\n";
  out += "# TYPE irra_http_streams_open gauge\n";
  out += fmt::format("irra_http_streams_open {}\n", streams_open_.load());
  out += "# HELP irra_http_accept_errors_total Failed accepts (e.g. out of descriptors).\n";
  out += "# TYPE irra_http_accept_errors_total counter\n";
  out += fmt::format("irra_http_accept_errors_total {}\n", accept_errors_.load());
  out += "# HELP irra_http_connection_errors_total Connections ended by an abnormal error.\n";
  out += "# TYPE irra_http_connection_errors_total counter\n";
  for (const auto& [key, count] : errors_) {
    out += fmt::format("irra_http_connection_errors_total{{op=\"{}\",error=\"{}\"}} {}\n",
                       label(key.first), label(key.second), count);
  }
}

}  // namespace irra::http
