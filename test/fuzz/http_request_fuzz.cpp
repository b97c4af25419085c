// Feeds arbitrary bytes through what the HTTPS server does with a request before any
// handler logic: Beast's parser under the server's header/body limits, Request (target,
// path, query, cookies), the router with parameterised routes, and the JSON body parser.
// The first input byte picks the parser's limits so that both limit paths are explored.
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "irra/http/cookies.hpp"
#include "irra/http/json_body.hpp"
#include "irra/http/request.hpp"
#include "irra/http/router.hpp"
#include "irra/http/url.hpp"

namespace {

using namespace irra::http;

struct Sink : ResponseSink {
  std::optional<Response> response;
  void deliver(Response&& r) override { response = std::move(r); }
  // No connection to stream on: the head counts as the answer.
  std::shared_ptr<EventStream> start_stream(Response&& head) override {
    response = std::move(head);
    return nullptr;
  }
};

const Router& router() {
  static const Router r = [] {
    Router router;
    router.add(Verb::get, "/api/v1/status",
               [](const Request&) { return empty_response(Status::ok); });
    router.add(Verb::post, "/api/v1/orders/{order_id}/cancel", [](const Request& req) {
      auto body = parse_json_body(req);
      if (!body) return std::move(*body.error);
      return error_response(Status::accepted, "ok", req.path_param("order_id"));
    });
    router.add(Verb::get, "/api/v1/admin/clients/{ucc}/positions", [](const Request& req) {
      (void)req.query_param("q");
      (void)req.cookie("__Host-irra_staff");
      return error_response(Status::ok, "ok", req.path_param("ucc"));
    });
    router.add_async(Verb::post, "/api/v1/auth/login", [](const Request& req, Responder res) {
      auto body = parse_json_body(req);
      res.send(body ? empty_response(Status::ok) : std::move(*body.error));
    });
    router.add_async(Verb::get, "/api/v1/stream", [](const Request&, Responder res) {
      Response head{Status::ok, 11};
      head.set(boost::beast::http::field::content_type, "text/event-stream");
      if (auto stream = res.start_stream(std::move(head))) stream->close();
    });
    router.set_fallback(
        [](const Request&, Responder res) { res.send(standard_error(Status::not_found)); });
    return router;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool tight = data[0] & 1;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  // The pure helpers on the raw bytes, as a hostile target or cookie would be.
  (void)percent_decode(input, data[0] & 2);
  (void)decode_path(input);
  (void)parse_query(input);
  Cookies cookies;
  parse_cookie_header(input, cookies);

  boost::beast::http::request_parser<boost::beast::http::string_body> parser;
  parser.header_limit(tight ? 256 : 8 * 1024);
  parser.body_limit(tight ? 64 : 64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  std::size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  (void)used;
  if (ec || !parser.is_done()) return 0;

  Request request(parser.get(), {});
  if (request.error() != Request::ParseError::none) return 0;
  auto sink = std::make_shared<Sink>();
  router().dispatch(request, Responder(sink));
  if (!sink->response) __builtin_trap();  // every request must be answered exactly once
  return 0;
}
