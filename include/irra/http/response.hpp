// Building responses: JSON bodies, the contract's error shape {"error","message"}, and the
// security headers every response carries. Pure functions, any thread.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json_fwd.hpp>
#include <string_view>

namespace irra::http {

using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Status = boost::beast::http::status;

// 2xx/4xx... with `body` serialised, Content-Type application/json, Cache-Control no-store.
Response json_response(Status status, const nlohmann::json& body);

// {"error": code, "message": message} with the given status.
Response error_response(Status status, std::string_view code, std::string_view message);

// No body (204, 202 without content...), Cache-Control no-store.
Response empty_response(Status status);

// The canonical error for a status the server core produces itself
// (400 bad_request, 404 not_found, 413 payload_too_large, 431 header_too_large, ...).
Response standard_error(Status status);

// Adds HSTS, CSP, nosniff, frame denial and referrer policy (the session calls this on
// every response; exposed for tests and for responses written outside a session).
void add_security_headers(Response& response);

}  // namespace irra::http
