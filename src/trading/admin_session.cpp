#include "admin_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

namespace net = boost::asio;
using nlohmann::json;

namespace irra::trading {
namespace {

constexpr std::size_t max_request = 64 * 1024;
constexpr std::size_t page_size = 2000;
constexpr auto deadline = std::chrono::seconds(30);

std::string reply_line(const AdminReply& r) {
  json j =
      r.ok ? json{{"ok", true}} : json{{"ok", false}, {"error", r.error}, {"message", r.message}};
  return j.dump() + "\n";
}

AdminReply error(std::string code, std::string message) {
  return AdminReply{false, std::move(code), std::move(message), nullptr};
}

}  // namespace

AdminSession::AdminSession(net::local::stream_protocol::socket socket, Engine& engine,
                           ModeHandler mode_handler, StatusExtension status_extension,
                           std::shared_ptr<const CommandHandlers> commands)
    : socket_(std::move(socket)),
      deadline_(socket_.get_executor()),
      engine_(engine),
      mode_handler_(std::move(mode_handler)),
      status_extension_(std::move(status_extension)),
      commands_(std::move(commands)) {}

void AdminSession::start() {
  arm_deadline();
  net::async_read_until(socket_, net::dynamic_buffer(in_, max_request), '\n',
                        [self = shared_from_this()](const boost::system::error_code& ec,
                                                    std::size_t n) { self->on_read(ec, n); });
}

void AdminSession::arm_deadline() {
  deadline_.expires_after(deadline);
  deadline_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      boost::system::error_code ignored;
      self->socket_.close(ignored);
    }
  });
}

void AdminSession::on_read(const boost::system::error_code& ec, std::size_t n) {
  if (ec == net::error::not_found) return finish(error("bad_request", "request line too long"));
  if (ec) return;  // the client went away
  std::string line = in_.substr(0, n - 1);
  dispatch(line);
}

void AdminSession::dispatch(const std::string& line) {
  const json req = json::parse(line, nullptr, false);
  if (!req.is_object() || !req.contains("cmd") || !req["cmd"].is_string()) {
    return finish(error("bad_request", "expected {\"cmd\": ...}"));
  }
  const auto cmd = req["cmd"].get<std::string>();
  if (cmd == "status") {
    json status = engine_.status();
    if (status_extension_) status_extension_(status);
    out_ = json{{"item", std::move(status)}}.dump() + "\n";
    return finish(AdminReply{});
  }
  if (cmd == "positions" || cmd == "orders" || cmd == "trades") {
    kind_ = cmd == "positions" ? ListKind::positions
            : cmd == "orders"  ? ListKind::orders
                               : ListKind::trades;
    if (req.contains("ucc")) {
      if (!req["ucc"].is_string()) return finish(error("bad_request", "ucc must be a string"));
      ucc_ = req["ucc"].get<std::string>();
    }
    return next_page();
  }
  if (cmd == "activate" || cmd == "recover" || cmd == "standby") {
    const std::string reason =
        req.contains("reason") && req["reason"].is_string() ? req["reason"].get<std::string>() : "";
    if (!mode_handler_) {
      return finish(error("not_supported",
                          "mode changes are not available yet (the failover module owns them)"));
    }
    // Answered once the change is durable (or refused); the item also comes with a refusal,
    // so that `irra ctl` prints the mode it stayed in.
    return mode_handler_(cmd, reason, [self = shared_from_this()](const AdminReply& r) {
      if (!r.item.is_null()) self->out_ = json{{"item", r.item}}.dump() + "\n";
      self->finish(r);
    });
  }
  if (commands_) {
    if (const auto it = commands_->find(cmd); it != commands_->end()) {
      return it->second(req, [self = shared_from_this()](const AdminReply& r) {
        if (!r.item.is_null()) self->out_ = json{{"item", r.item}}.dump() + "\n";
        self->finish(r);
      });
    }
  }
  finish(error("unknown_command", "unknown command '" + cmd + "'"));
}

void AdminSession::next_page() {
  const ListPage page = engine_.list(kind_, ucc_, cursor_, page_size);
  cursor_ = page.next_cursor;
  std::string text;
  for (const auto& item : page.items) {
    text += json{{"item", item}}.dump();
    text += '\n';
  }
  if (page.done) text += reply_line(AdminReply{});
  write(std::move(text), page.done);
}

void AdminSession::write(std::string text, bool last) {
  out_ = std::move(text);
  arm_deadline();
  net::async_write(
      socket_, net::buffer(out_),
      [self = shared_from_this(), last](const boost::system::error_code& ec, std::size_t) {
        if (ec) return;
        if (!last) return self->next_page();
        boost::system::error_code ignored;
        self->socket_.shutdown(net::local::stream_protocol::socket::shutdown_send, ignored);
        self->deadline_.cancel();
      });
}

void AdminSession::finish(const AdminReply& reply) {
  std::string text = std::move(out_);
  text += reply_line(reply);
  write(std::move(text), true);
}

}  // namespace irra::trading
