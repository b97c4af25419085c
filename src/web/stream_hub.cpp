#include "stream_hub.hpp"

namespace irra::web {

std::uint64_t StreamHub::add(const std::string& ucc, std::string session_token,
                             std::shared_ptr<http::EventStream> stream) {
  const auto id = next_id_++;
  by_client_[ucc].push_back(Entry{id, std::move(session_token), std::move(stream)});
  ++count_;
  return id;
}

void StreamHub::remove(const std::string& ucc, std::uint64_t id) {
  const auto it = by_client_.find(ucc);
  if (it == by_client_.end()) return;
  auto& entries = it->second;
  for (auto e = entries.begin(); e != entries.end(); ++e) {
    if (e->id == id) {
      entries.erase(e);
      --count_;
      break;
    }
  }
  if (entries.empty()) by_client_.erase(it);
}

std::string StreamHub::format(std::string_view event, const nlohmann::json& data) {
  std::string out;
  out.reserve(256);
  out += "event: ";
  out += event;
  out += "\ndata: ";
  // dump() without indentation is one line: newlines inside strings are escaped.
  out += data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += "\n\n";
  return out;
}

void StreamHub::publish(const std::vector<trading::Update>& updates) {
  if (by_client_.empty()) return;
  for (const auto& u : updates) {
    const auto it = by_client_.find(u.ucc);
    if (it == by_client_.end()) continue;
    const char* name = u.kind == trading::Update::Kind::order   ? "order"
                       : u.kind == trading::Update::Kind::trade ? "trade"
                                                                : "position";
    const auto text = format(name, u.object);
    for (auto& e : it->second) {
      if (e.stream) e.stream->send(text);  // a closed stream is removed by its close callback
    }
  }
}

void StreamHub::close_session(std::string_view session_token) {
  close_unless([&](const std::string&, const std::string& token) { return token != session_token; });
}

void StreamHub::close_all() {
  close_unless([](const std::string&, const std::string&) { return false; });
}

}  // namespace irra::web
