// Reads a JSON request body for a POST/PUT handler: checks Content-Type (415), nesting
// depth and syntax (400 {"error":"bad_json"}). Pure function, any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "irra/http/request.hpp"
#include "irra/http/response.hpp"

namespace irra::http {

struct JsonBody {
  nlohmann::json value;
  std::optional<Response> error;  // set when the body was refused: send it as is

  explicit operator bool() const { return !error.has_value(); }
};

// An empty body is bad_json too: a handler that accepts no body should not call this.
// max_depth bounds nesting so that hostile input cannot exhaust the stack.
JsonBody parse_json_body(const Request& request, std::size_t max_depth = 32);

}  // namespace irra::http
