#pragma once
// Runs irra-quickfix-exchange (the QuickFIX acceptor) as a child process on a free
// loopback port, with its QuickFIX logs in a temporary directory, and stops it (SIGTERM,
// then SIGKILL) when the test is done.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

extern char** environ;

namespace irra::interop::test {

// A port nobody listens on right now (the kernel's pick for an ephemeral bind).
inline std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

class exchange_process {
 public:
  exchange_process() : port_(free_port()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "irra-quickfix-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    std::string program = IRRA_QUICKFIX_EXCHANGE;
    std::string port = std::to_string(port_);
    std::string dir = dir_.string();
    char* argv[] = {program.data(), port.data(), dir.data(), nullptr};
    if (posix_spawn(&pid_, program.c_str(), nullptr, nullptr, argv, environ) != 0) {
      throw std::runtime_error("cannot start " + program);
    }
  }

  ~exchange_process() {
    ::kill(pid_, SIGTERM);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds{3};
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > end) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  exchange_process(const exchange_process&) = delete;
  exchange_process& operator=(const exchange_process&) = delete;

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& log_dir() const { return dir_; }

 private:
  std::uint16_t port_;
  std::filesystem::path dir_;
  pid_t pid_ = 0;
};

}  // namespace irra::interop::test
