// One connection attempt of an initiator: the stream (TLS-capable; plain TCP uses its next
// layer only), the receive buffer and the bytes of the one write in flight. Completion
// handlers hold a shared_ptr to it, so the stream outlives its pending operations; the
// initiator ignores completions of a connection that is no longer its current one.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <string>
#include <vector>

#include "irra/fixnet/initiator.hpp"

namespace irra::fixnet {

struct Initiator::connection {
  connection(const boost::asio::any_io_executor& ex, boost::asio::ssl::context& ctx,
             std::size_t receive_bytes)
      : stream(ex, ctx), rx(receive_bytes) {}

  // Runs f(stream) on the TLS stream or on the plain socket.
  template <class F>
  void with_stream(bool tls, F&& f) {
    if (tls) {
      f(stream);
    } else {
      f(stream.next_layer());
    }
  }

  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream;
  std::vector<char> rx;  // received bytes live in [rx_begin, rx_end)
  std::size_t rx_begin = 0;
  std::size_t rx_end = 0;
  std::string tx;  // the bytes of the write in flight
  bool writing = false;
};

}  // namespace irra::fixnet
