// A connection of the plain-HTTP listener (metrics). Thread rule: see session.hpp.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>

#include "session.hpp"

namespace irra::http {

class PlainSession : public Session<PlainSession>,
                     public std::enable_shared_from_this<PlainSession> {
 public:
  PlainSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerState> state,
               boost::asio::ip::address remote);

  void run();
  beast::tcp_stream& stream() { return stream_; }
  void do_close();

 private:
  beast::tcp_stream stream_;
};

}  // namespace irra::http
