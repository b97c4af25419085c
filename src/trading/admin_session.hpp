// One `irra ctl` connection on the admin socket: reads one request line, answers with JSON
// lines (see admin_socket.hpp), closes. Owns itself through shared_from_this(); every
// handler runs on the engine's strand. A deadline closes a client that stalls.
#pragma once

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "irra/trading/admin_socket.hpp"

namespace irra::trading {

class AdminSession : public std::enable_shared_from_this<AdminSession> {
 public:
  AdminSession(boost::asio::local::stream_protocol::socket socket, Engine& engine,
               ModeHandler mode_handler, StatusExtension status_extension = {},
               std::shared_ptr<const CommandHandlers> commands = {});
  void start();

 private:
  void arm_deadline();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void dispatch(const std::string& line);
  void next_page();
  void write(std::string text, bool last);
  void finish(const AdminReply& reply);

  boost::asio::local::stream_protocol::socket socket_;
  boost::asio::steady_timer deadline_;
  Engine& engine_;
  ModeHandler mode_handler_;
  StatusExtension status_extension_;
  std::shared_ptr<const CommandHandlers> commands_;
  std::string in_;
  std::string out_;
  ListKind kind_ = ListKind::positions;
  std::string ucc_;
  std::size_t cursor_ = 0;
};

}  // namespace irra::trading
