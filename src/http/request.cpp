#include "irra/http/request.hpp"

#include <stdexcept>

namespace irra::http {

Request::Request(const Message& message, boost::asio::ip::address remote)
    : message_(&message), remote_(std::move(remote)) {
  const auto parts = split_target(message.target());
  if (!parts) {
    error_ = ParseError::bad_target;
    return;
  }
  auto path = decode_path(parts->path);
  if (!path) {
    error_ = ParseError::bad_target;
    return;
  }
  path_ = std::move(*path);
  raw_query_ = parts->query;
  auto query = parse_query(parts->query);
  if (!query) {
    error_ = ParseError::bad_query;
    return;
  }
  query_ = std::move(*query);
  for (const auto& field : message) {
    if (field.name() == boost::beast::http::field::cookie) {
      parse_cookie_header(field.value(), cookies_);
    }
  }
}

std::string_view Request::user_agent() const {
  return header(boost::beast::http::field::user_agent);
}

std::string_view Request::header(boost::beast::http::field name) const {
  const auto it = message_->find(name);
  return it == message_->end() ? std::string_view{} : std::string_view(it->value());
}

std::string_view Request::header(std::string_view name) const {
  const auto it = message_->find(name);
  return it == message_->end() ? std::string_view{} : std::string_view(it->value());
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  for (const auto& [key, value] : query_) {
    if (key == name) return std::string_view{value};
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::cookie(std::string_view name) const {
  for (const auto& [key, value] : cookies_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string_view Request::path_param(std::string_view name) const {
  for (const auto& [key, value] : path_params_) {
    if (key == name) return value;
  }
  throw std::out_of_range("no path parameter named " + std::string(name));
}

}  // namespace irra::http
