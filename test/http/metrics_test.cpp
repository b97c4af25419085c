// The HTTP metrics registry and its Prometheus rendering.
#include "irra/http/metrics.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <catch2/catch.hpp>

using namespace irra::http;
using namespace std::chrono_literals;

TEST_CASE("requests are counted by route, method and status with a latency histogram",
          "[http][metrics]") {
  HttpMetrics m;
  m.record_request("/api/v1/orders/{order_id}/cancel", "POST", 202, 300us);
  m.record_request("/api/v1/orders/{order_id}/cancel", "POST", 202, 20ms);
  m.record_request("/api/v1/orders/{order_id}/cancel", "POST", 404, 1ms);
  CHECK(m.requests("/api/v1/orders/{order_id}/cancel", "POST", 202) == 2);
  CHECK(m.requests("/api/v1/orders/{order_id}/cancel", "POST", 404) == 1);
  std::string out;
  m.render_prometheus(out);
  CHECK(out.find("irra_http_requests_total{route=\"/api/v1/orders/{order_id}/cancel\","
                 "method=\"POST\",status=\"202\"} 2\n") != std::string::npos);
  // Cumulative buckets: 300 us falls at or below 0.0005 s, 20 ms only from 0.025 s on.
  CHECK(out.find("le=\"0.0005\"} 1\n") != std::string::npos);
  CHECK(out.find("status=\"202\",le=\"0.025\"} 2\n") != std::string::npos);
  CHECK(out.find("status=\"202\",le=\"+Inf\"} 2\n") != std::string::npos);
}

TEST_CASE("normal connection endings are not errors; others are counted", "[http][metrics]") {
  CHECK(is_normal_close(boost::asio::error::operation_aborted));
  CHECK(is_normal_close(boost::asio::ssl::error::stream_truncated));
  CHECK(is_normal_close(boost::beast::http::error::end_of_stream));
  CHECK_FALSE(is_normal_close(boost::beast::http::error::bad_method));
  HttpMetrics m;
  m.connection_error("read", boost::beast::http::error::bad_method);
  m.connection_opened();
  m.connection_refused();
  CHECK(m.errors_total() == 1);
  std::string out;
  m.render_prometheus(out);
  CHECK(out.find("irra_http_connection_errors_total{op=\"read\"") != std::string::npos);
  CHECK(out.find("irra_http_connections_open 1\n") != std::string::npos);
  CHECK(out.find("irra_http_connections_refused_total 1\n") != std::string::npos);
}
