// The admin Unix socket behind `irra ctl`: one JSON request per line in, JSON lines out.
//
// Protocol (one request per connection; the server closes after answering):
//   request  {"cmd": "status"} | {"cmd": "positions"|"orders"|"trades", "ucc"?: "UCC"}
//            | {"cmd": "activate"|"recover"|"standby", "reason"?: TEXT}
//   reply    zero or more {"item": {...}} lines, then {"ok": true}
//            or {"ok": false, "error": CODE, "message": TEXT}.
// activate/recover/standby are answered by the mode handler (the failover module), once
// the transition is durable, with one item {"ok", "mode", "since", ...} also on a refusal;
// without a handler they answer {"ok": false, "error": "not_supported"}. A status
// extension (set by the server) adds fields to the status item, e.g. the probe's view.
// The socket file is created owner-only (0600); a stale file left by a crashed server is
// replaced, a live server's socket is not.
//
// Thread rule: every handler runs on the engine's strand (the sockets use it as their
// executor), so sessions call the Engine directly. start() and stop() run on that strand
// too, or before the reactor runs.
#pragma once

#include <map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "irra/trading/engine.hpp"

namespace irra::trading {

struct AdminReply {
  bool ok = true;
  std::string error;
  std::string message;
  nlohmann::json item;  // null: none
};

// A mode command (activate/recover/standby with its reason) for the failover module, which
// answers through `done` (on the strand) once the change is durable or refused.
using ModeDone = std::function<void(const AdminReply&)>;
using ModeHandler =
    std::function<void(const std::string& cmd, const std::string& reason, ModeDone done)>;
// Adds to the status item (on the strand).
using StatusExtension = std::function<void(nlohmann::json& status)>;
// Another command (e.g. the bulk square-off's), given the whole request; answers through
// `done` on the strand, with its item (if any) printed before the final line.
using CommandHandler = std::function<void(const nlohmann::json& request, ModeDone done)>;
using CommandHandlers = std::map<std::string, CommandHandler, std::less<>>;

class AdminSocket {
 public:
  AdminSocket(boost::asio::any_io_executor strand, Engine& engine, std::filesystem::path path);
  ~AdminSocket();
  AdminSocket(const AdminSocket&) = delete;
  AdminSocket& operator=(const AdminSocket&) = delete;

  // Binds and listens. Throws std::runtime_error (one line) when the path is too long, is
  // not a socket, or another server answers on it.
  void start();
  // Stops accepting and removes the socket file; open connections finish.
  void stop();

  // Until set, activate/recover/standby answer not_supported.
  void set_mode_handler(ModeHandler handler) { mode_handler_ = std::move(handler); }
  void set_status_extension(StatusExtension extension) { status_extension_ = std::move(extension); }
  // Before start(): `cmd` is answered by `handler` (e.g. "bulk-square-off", "job").
  void add_command(std::string cmd, CommandHandler handler) {
    (*commands_)[std::move(cmd)] = std::move(handler);
  }

  const std::filesystem::path& path() const { return path_; }

 private:
  void do_accept();

  boost::asio::any_io_executor strand_;
  Engine& engine_;
  std::filesystem::path path_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  boost::asio::steady_timer backoff_;  // after an accept error (e.g. out of descriptors)
  ModeHandler mode_handler_;
  StatusExtension status_extension_;
  std::shared_ptr<CommandHandlers> commands_ = std::make_shared<CommandHandlers>();
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  bool bound_ = false;
};

}  // namespace irra::trading
