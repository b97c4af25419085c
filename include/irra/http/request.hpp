// What a route handler sees of one HTTP request: method, target, decoded path and query,
// path parameters, headers, cookies, body and the peer's address.
//
// Thread rule: built by the connection's session on its strand. A handler may read it
// from any thread until it hands its Responder a response (or drops the Responder): the
// session keeps the request, and its buffer, alive until then and reads nothing else.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "irra/http/cookies.hpp"
#include "irra/http/url.hpp"

namespace irra::http {

using Message = boost::beast::http::request<boost::beast::http::string_body>;
using PathParams = std::vector<std::pair<std::string_view, std::string>>;

class Request {
 public:
  enum class ParseError { none, bad_target, bad_query };

  // Parses target, query and cookies of `message`, which must outlive this object.
  // error() tells whether the target was acceptable.
  Request(const Message& message, boost::asio::ip::address remote);

  ParseError error() const { return error_; }

  boost::beast::http::verb method() const { return message_->method(); }
  std::string_view method_string() const { return message_->method_string(); }
  std::string_view target() const { return message_->target(); }
  const std::string& path() const { return path_; }  // percent-decoded
  std::string_view raw_query() const { return raw_query_; }
  const QueryParams& query() const { return query_; }
  const PathParams& path_params() const { return path_params_; }
  const Cookies& cookies() const { return cookies_; }
  std::string_view body() const { return message_->body(); }
  const boost::asio::ip::address& remote_address() const { return remote_; }
  std::string_view user_agent() const;
  const Message& message() const { return *message_; }

  // Empty when absent.
  std::string_view header(boost::beast::http::field name) const;
  std::string_view header(std::string_view name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
  std::optional<std::string_view> cookie(std::string_view name) const;
  // Throws std::out_of_range when the route pattern has no such parameter (a bug).
  std::string_view path_param(std::string_view name) const;

  // The matched route pattern ("/api/v1/orders/{order_id}/cancel"), for metrics and logs;
  // set by the router.
  std::string_view route() const { return route_; }
  void set_route(std::string_view route) { route_ = route; }
  PathParams& mutable_path_params() { return path_params_; }

 private:
  const Message* message_;
  boost::asio::ip::address remote_;
  ParseError error_ = ParseError::none;
  std::string path_;
  std::string_view raw_query_;
  QueryParams query_;
  PathParams path_params_;
  Cookies cookies_;
  std::string_view route_ = "unmatched";
};

}  // namespace irra::http
