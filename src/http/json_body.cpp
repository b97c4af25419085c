#include "irra/http/json_body.hpp"

#include <boost/beast/http/field.hpp>

namespace irra::http {
namespace {

bool is_json_content_type(std::string_view value) {
  const auto semi = value.find(';');
  std::string_view media = value.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  constexpr std::string_view expected = "application/json";
  if (media.size() != expected.size()) return false;
  for (std::size_t i = 0; i < media.size(); ++i) {
    const char c = media[i] >= 'A' && media[i] <= 'Z' ? static_cast<char>(media[i] + 32) : media[i];
    if (c != expected[i]) return false;
  }
  return true;
}

// Bounds nesting before parsing: each level costs the parser and the destructor stack.
bool depth_within(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace

JsonBody parse_json_body(const Request& request, std::size_t max_depth) {
  JsonBody result;
  if (!is_json_content_type(request.header(boost::beast::http::field::content_type))) {
    result.error = standard_error(Status::unsupported_media_type);
    return result;
  }
  const std::string_view body = request.body();
  if (!depth_within(body, max_depth)) {
    result.error = error_response(Status::bad_request, "bad_json", "JSON nested too deeply");
    return result;
  }
  result.value = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (result.value.is_discarded()) {
    result.error =
        error_response(Status::bad_request, "bad_json", "request body is not valid JSON");
  }
  return result;
}

}  // namespace irra::http
