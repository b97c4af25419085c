// One TCP connection on the FIX acceptor port. Its first message must be a Logon; the
// TargetCompID picks the session (EXCH-DC, EXCH-OE, EXCH-MD), which then owns the
// connection's reads and writes. Supports the half-open fault (stop reading and writing
// for a while without closing).
// Thread rule: the simulator's single thread; kept alive by its pending operations and
// by the session it is attached to.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "acceptor_session.hpp"

namespace irra::sim {

class exchange;

class fix_connection final : public transport, public std::enable_shared_from_this<fix_connection> {
 public:
  fix_connection(boost::asio::ip::tcp::socket socket, exchange& ex);

  void start();
  // Closes at once (the simulator is stopping).
  void stop();

  // transport
  void wake() override;
  void close(std::string final_bytes) override;
  void half_open(std::chrono::milliseconds d) override;

 private:
  void do_read();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void process();
  void bind_session();
  void do_write();
  void on_write(const boost::system::error_code& ec);
  void refuse(std::string_view sender, std::string_view target, std::string_view text);
  void close_socket();
  void lost(std::string_view reason);
  bool attached() const { return session_ != nullptr && session_->is_attached_to(this); }

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer logon_timer_;
  boost::asio::steady_timer half_open_timer_;
  exchange& ex_;
  acceptor_session* session_ = nullptr;
  std::string in_;
  std::array<char, 64 * 1024> read_buf_{};
  std::string writing_;
  std::string final_;  // the last bytes to write before closing (a Logout)
  bool reading_ = false;
  bool write_active_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool paused_ = false;
};

}  // namespace irra::sim
