#include "irra/trading/admin_socket.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <stdexcept>

#include "admin_session.hpp"

namespace net = boost::asio;
using stream = net::local::stream_protocol;

namespace irra::trading {
namespace {

// A socket file nobody answers on is left over from a crash: remove it. Anything else
// (a live server, a regular file) is refused rather than deleted.
void clear_stale(const std::filesystem::path& path) {
  std::error_code ec;
  const auto st = std::filesystem::symlink_status(path, ec);
  if (ec || !std::filesystem::exists(st)) return;
  if (!std::filesystem::is_socket(st)) {
    throw std::runtime_error("admin socket path " + path.string() + " exists and is not a socket");
  }
  net::io_context probe_ctx;
  stream::socket probe(probe_ctx);
  boost::system::error_code cec;
  probe.connect(stream::endpoint(path.string()), cec);
  if (!cec) {
    throw std::runtime_error("another server is listening on the admin socket " + path.string());
  }
  std::filesystem::remove(path, ec);
  if (ec) {
    throw std::runtime_error("cannot remove the stale admin socket " + path.string() + ": " +
                             ec.message());
  }
  spdlog::info("removed a stale admin socket {}", path.string());
}

}  // namespace

AdminSocket::AdminSocket(net::any_io_executor strand, Engine& engine, std::filesystem::path path)
    : strand_(std::move(strand)),
      engine_(engine),
      path_(std::move(path)),
      acceptor_(strand_),
      backoff_(strand_) {}

AdminSocket::~AdminSocket() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  if (bound_) {
    std::error_code fec;
    std::filesystem::remove(path_, fec);
  }
}

void AdminSocket::start() {
  if (path_.string().size() >= sizeof(sockaddr_un{}.sun_path)) {
    throw std::runtime_error("admin socket path too long (at most 107 bytes): " + path_.string());
  }
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
  clear_stale(path_);
  acceptor_.open(stream());
  // Owner-only from the start: no window in which another user could connect.
  const mode_t old_mask = ::umask(0177);
  boost::system::error_code ec;
  acceptor_.bind(stream::endpoint(path_.string()), ec);
  ::umask(old_mask);
  if (ec) {
    throw std::runtime_error("cannot bind the admin socket " + path_.string() + ": " +
                             ec.message());
  }
  bound_ = true;
  std::filesystem::permissions(
      path_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  acceptor_.listen(16);
  spdlog::info("admin socket listening on {}", path_.string());
  do_accept();
}

void AdminSocket::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  backoff_.cancel();
  if (bound_) {
    std::error_code fec;
    std::filesystem::remove(path_, fec);
    bound_ = false;
  }
}

void AdminSocket::do_accept() {
  acceptor_.async_accept(strand_, [this, alive = std::weak_ptr<int>(alive_)](
                                      const boost::system::error_code& ec, stream::socket socket) {
    if (alive.expired() || ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      std::make_shared<AdminSession>(std::move(socket), engine_, mode_handler_, status_extension_,
                                     commands_)
          ->start();
      return do_accept();
    }
    // Not at once again: an error such as EMFILE would repeat in a tight loop.
    spdlog::warn("admin socket accept failed: {}", ec.message());
    backoff_.expires_after(std::chrono::milliseconds(100));
    backoff_.async_wait([this, alive](const boost::system::error_code& wec) {
      if (!wec && !alive.expired() && acceptor_.is_open()) do_accept();
    });
  });
}

}  // namespace irra::trading
