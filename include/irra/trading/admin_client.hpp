// The client side of the admin socket (see admin_socket.hpp), for `irra ctl` and tests:
// blocking, with a deadline on every read and write. Safe from any thread (no shared state).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace irra::trading {

struct AdminClientResult {
  bool ok = false;      // the server answered {"ok": true}
  std::string error;    // the server's error code, or "unreachable" / "protocol"
  std::string message;  // human text
};

// Sends `request` as one line and calls `on_item` with each {"item": ...} payload.
AdminClientResult admin_request(const std::filesystem::path& socket_path,
                                const nlohmann::json& request,
                                const std::function<void(const nlohmann::json&)>& on_item,
                                std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace irra::trading
