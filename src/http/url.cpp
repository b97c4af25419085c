#include "irra/http/url.hpp"

namespace irra::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

std::optional<TargetParts> split_target(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  const auto hash = target.find('#');
  if (hash != std::string_view::npos) target = target.substr(0, hash);
  const auto question = target.find('?');
  if (question == std::string_view::npos) return TargetParts{target, {}};
  return TargetParts{target.substr(0, question), target.substr(question + 1)};
}

std::optional<std::string> decode_path(std::string_view raw_path) {
  // Reject encoded separators before decoding: after it they are indistinguishable.
  for (std::size_t i = 0; i + 2 < raw_path.size(); ++i) {
    if (raw_path[i] != '%') continue;
    const int hi = hex_value(raw_path[i + 1]);
    const int lo = hex_value(raw_path[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const int c = hi * 16 + lo;
    if (c == '/' || c == '\\') return std::nullopt;
  }
  auto decoded = percent_decode(raw_path, false);
  if (!decoded) return std::nullopt;
  if (decoded->find('\\') != std::string::npos) return std::nullopt;
  return decoded;
}

std::optional<QueryParams> parse_query(std::string_view raw_query, std::size_t max_params) {
  QueryParams params;
  while (!raw_query.empty()) {
    const auto amp = raw_query.find('&');
    const std::string_view pair = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
    if (pair.empty()) continue;
    if (params.size() == max_params) return std::nullopt;
    const auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!name || !value) return std::nullopt;
    params.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

}  // namespace irra::http
