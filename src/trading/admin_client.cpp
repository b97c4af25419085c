#include "irra/trading/admin_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace irra::trading {
namespace {

constexpr std::size_t max_line = 16 * 1024 * 1024;  // one reply line, at most

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

AdminClientResult fail(std::string error, std::string message) {
  return AdminClientResult{false, std::move(error), std::move(message)};
}

}  // namespace

AdminClientResult admin_request(const std::filesystem::path& socket_path,
                                const nlohmann::json& request,
                                const std::function<void(const nlohmann::json&)>& on_item,
                                std::chrono::milliseconds timeout) {
  const std::string path = socket_path.string();
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) return fail("unreachable", "socket path too long");
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return fail("unreachable", std::strerror(errno));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return fail("unreachable", "cannot connect to " + path + ": " + std::strerror(errno));
  }
  const std::string line = request.dump() + "\n";
  for (std::size_t sent = 0; sent < line.size();) {
    const ssize_t n = ::send(fd.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return fail("unreachable", std::string("send: ") + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
  std::string buf;
  char chunk[65536];
  for (;;) {
    for (auto nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n')) {
      const auto j = nlohmann::json::parse(std::string_view(buf).substr(0, nl), nullptr, false);
      buf.erase(0, nl + 1);
      if (!j.is_object()) return fail("protocol", "the server sent a line that is not JSON");
      if (j.contains("item")) {
        on_item(j["item"]);
        continue;
      }
      auto text = [&j](const char* key) {
        return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
      };
      if (j.contains("ok") && j["ok"].is_boolean() && j["ok"].get<bool>()) {
        return AdminClientResult{true, {}, {}};
      }
      const std::string code = text("error");
      return fail(code.empty() ? "protocol" : code, text("message"));
    }
    if (buf.size() > max_line) return fail("protocol", "reply line too long");
    const ssize_t n = ::recv(fd.get(), chunk, sizeof chunk, 0);
    if (n == 0) return fail("protocol", "the server closed the connection before answering");
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("unreachable", std::string("recv: ") + std::strerror(errno));
    }
    buf.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace irra::trading
