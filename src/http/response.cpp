#include "irra/http/response.hpp"

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

namespace irra::http {
namespace http = boost::beast::http;

Response json_response(Status status, const nlohmann::json& body) {
  Response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  // Replace invalid UTF-8 rather than throw: a stray byte in stored text must not
  // turn a response into a 500.
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  res.prepare_payload();
  return res;
}

Response error_response(Status status, std::string_view code, std::string_view message) {
  return json_response(status, nlohmann::json{{"error", code}, {"message", message}});
}

Response empty_response(Status status) {
  Response res{status, 11};
  res.set(http::field::cache_control, "no-store");
  res.prepare_payload();
  return res;
}

Response standard_error(Status status) {
  switch (status) {
    case Status::bad_request:
      return error_response(status, "bad_request", "malformed request");
    case Status::not_found:
      return error_response(status, "not_found", "no such resource");
    case Status::method_not_allowed:
      return error_response(status, "method_not_allowed", "method not allowed here");
    case Status::payload_too_large:
      return error_response(status, "payload_too_large", "request body above 64 KiB");
    case Status::request_header_fields_too_large:
      return error_response(status, "header_too_large", "request header too large");
    case Status::unsupported_media_type:
      return error_response(status, "unsupported_media_type",
                            "request body must be application/json");
    case Status::service_unavailable:
      return error_response(status, "unavailable", "server is shutting down or overloaded");
    case Status::internal_server_error:
      return error_response(status, "internal", "internal error");
    default:
      return error_response(status, "error", http::obsolete_reason(status));
  }
}

void add_security_headers(Response& response) {
  response.set(http::field::strict_transport_security, "max-age=31536000; includeSubDomains");
  response.set("Content-Security-Policy",
               "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
               "form-action 'self'");
  response.set("X-Content-Type-Options", "nosniff");
  response.set(http::field::x_frame_options, "DENY");
  response.set("Referrer-Policy", "no-referrer");
}

}  // namespace irra::http
