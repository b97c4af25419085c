// The open live-update streams (GET /api/v1/stream), by client: the engine's updates for a
// client go to each of that client's streams as Server-Sent Events, one JSON object per
// `data:` line, the event named after the object (order, trade, position).
//
// Thread rule: owned by the trading strand; every member runs there. The streams themselves
// are thread-safe handles; their close callbacks post back to the strand.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "irra/http/event_stream.hpp"
#include "irra/trading/engine.hpp"

namespace irra::web {

class StreamHub {
 public:
  struct Entry {
    std::uint64_t id = 0;
    std::string session_token;  // the cookie's token, to end the stream with its session
    std::shared_ptr<http::EventStream> stream;
  };

  // Returns the entry's id (for remove()).
  std::uint64_t add(const std::string& ucc, std::string session_token,
                    std::shared_ptr<http::EventStream> stream);
  void remove(const std::string& ucc, std::uint64_t id);

  bool wants(std::string_view ucc) const { return by_client_.find(ucc) != by_client_.end(); }
  void publish(const std::vector<trading::Update>& updates);

  // Calls keep(ucc, token) for every stream and closes those for which it returns false.
  template <class Keep>
  void close_unless(Keep&& keep) {
    for (auto& [ucc, entries] : by_client_) {
      for (auto& e : entries) {
        if (e.stream && !keep(ucc, e.session_token)) e.stream->close();
      }
    }
  }
  void close_session(std::string_view session_token);
  void close_all();
  std::size_t size() const { return count_; }

  // "event: NAME\ndata: JSON\n\n".
  static std::string format(std::string_view event, const nlohmann::json& data);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<Entry>, Hash, std::equal_to<>> by_client_;
  std::uint64_t next_id_ = 1;
  std::size_t count_ = 0;
};

}  // namespace irra::web
