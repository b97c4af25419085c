#include "irra/http/router.hpp"

#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>
#include <stdexcept>

namespace irra::http {
namespace {

// Calls f(segment) for each '/'-separated segment after the leading '/'.
template <class F>
bool for_each_segment(std::string_view path, F&& f) {
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    if (!f(path.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

bool is_api_path(std::string_view path) {
  return path == "/api" || path.starts_with("/api/");
}

}  // namespace

Router::Pattern& Router::pattern_for(std::string_view text) {
  for (auto& p : patterns_) {
    if (p.text == text) return p;
  }
  Pattern pattern;
  pattern.text = std::string(text);
  const bool ok = for_each_segment(text, [&](std::string_view seg) {
    Segment s;
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      s.is_param = true;
      s.text = std::string(seg.substr(1, seg.size() - 2));
      if (s.text.empty()) return false;
    } else {
      if (seg.find_first_of("{}") != std::string_view::npos) return false;
      s.text = std::string(seg);
    }
    pattern.segments.push_back(std::move(s));
    return true;
  });
  if (!ok) throw std::invalid_argument("bad route pattern: " + std::string(text));
  patterns_.push_back(std::move(pattern));
  return patterns_.back();
}

void Router::add(Verb method, std::string_view pattern, SyncHandler handler) {
  add_async(method, pattern,
            [h = std::move(handler)](const Request& req, Responder res) { res.send(h(req)); });
}

void Router::add_async(Verb method, std::string_view pattern, AsyncHandler handler) {
  Pattern& p = pattern_for(pattern);
  for (const auto& r : p.routes) {
    if (r.method == method) throw std::invalid_argument("duplicate route: " + p.text);
  }
  p.routes.push_back(Route{method, std::move(handler)});
}

void Router::set_fallback(AsyncHandler handler) {
  fallback_ = std::move(handler);
}

void Router::add_guard(Guard guard) {
  guards_.push_back(std::move(guard));
}

bool Router::match(const Pattern& pattern, std::string_view path, PathParams& params) {
  params.clear();
  std::size_t i = 0;
  const bool ok = for_each_segment(path, [&](std::string_view seg) {
    if (i == pattern.segments.size()) return false;
    const Segment& s = pattern.segments[i++];
    if (s.is_param) {
      if (seg.empty()) return false;
      params.emplace_back(s.text, std::string(seg));
      return true;
    }
    return seg == s.text;
  });
  return ok && i == pattern.segments.size();
}

std::string Router::allow_header(const Pattern& pattern) {
  std::string allow;
  bool has_get = false;
  bool has_head = false;
  for (const auto& r : pattern.routes) {
    if (!allow.empty()) allow += ", ";
    allow += boost::beast::http::to_string(r.method);
    has_get |= r.method == Verb::get;
    has_head |= r.method == Verb::head;
  }
  if (has_get && !has_head) allow += ", HEAD";
  return allow;
}

void Router::dispatch(Request& request, Responder responder) const {
  try {
    for (const auto& guard : guards_) {
      if (auto refused = guard(request)) return responder.send(std::move(*refused));
    }
    const Verb method = request.method();
    for (const auto& pattern : patterns_) {
      if (!match(pattern, request.path(), request.mutable_path_params())) continue;
      request.set_route(pattern.text);
      const Route* chosen = nullptr;
      for (const auto& r : pattern.routes) {
        if (r.method == method) chosen = &r;
        if (!chosen && method == Verb::head && r.method == Verb::get) chosen = &r;
      }
      if (!chosen) {
        Response res = standard_error(Status::method_not_allowed);
        res.set(boost::beast::http::field::allow, allow_header(pattern));
        return responder.send(std::move(res));
      }
      return chosen->handler(request, std::move(responder));
    }
    request.mutable_path_params().clear();
    if (fallback_ && !is_api_path(request.path())) {
      request.set_route("static");
      return fallback_(request, std::move(responder));
    }
    request.set_route("unmatched");
    responder.send(standard_error(Status::not_found));
  } catch (const std::exception& e) {
    // A handler bug must not take the server down; the responder (if still held here)
    // answers 500 when it is destroyed.
    spdlog::error("http: handler for {} {} threw: {}", request.method_string(), request.route(),
                  e.what());
  }
}

}  // namespace irra::http
