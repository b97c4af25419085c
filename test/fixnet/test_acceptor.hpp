#pragma once
// An in-process FIX acceptor ("EXCH") for the initiator's transport tests, written with
// the project's codec on Asio over 127.0.0.1. It runs on the same io_context as the
// initiator (single thread), answers Logon, TestRequest, ResendRequest and Logout, sends
// application messages with chosen sequence numbers, and injects faults: garbage bytes,
// closing the connection, going half-open (neither reading nor writing).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "irra/fix/message.hpp"
#include "irra/fix/parser.hpp"
#include "irra/fix/tags.hpp"
#include "irra/fix/writer.hpp"

namespace irra::fixnet::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;

inline fix::utc_timestamp utc_now() {
  return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
}

// Runs the io_context until `done()` or the timeout; true if done.
inline bool run_until(net::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds timeout = std::chrono::seconds{5}) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    io.run_one_for(std::chrono::milliseconds{5});
    if (io.stopped()) io.restart();
  }
  return true;
}

// Runs the io_context for `d` whatever happens.
inline void run_for(net::io_context& io, std::chrono::milliseconds d) {
  run_until(
      io, [] { return false; }, d);
}

// A received message with its own copy of the bytes.
struct received_message {
  std::string raw;
  std::string get(int t) const {
    fix::message m;
    m.parse(raw);
    return std::string(m.get(t).value_or(""));
  }
  std::string type() const { return get(fix::tag::msg_type); }
  std::uint64_t seq() const { return std::stoull(get(fix::tag::msg_seq_num)); }
};

using body_fields = std::vector<std::pair<int, std::string>>;

// The body of a minimal ExecutionReport (enough for the session; not validated by it).
inline body_fields exec_report_body(std::string exec_id) {
  return {{fix::tag::order_id, "O-" + exec_id}, {fix::tag::exec_id, exec_id},
          {fix::tag::exec_type, "0"},           {fix::tag::ord_status, "0"},
          {fix::tag::account, "UCC1"},          {fix::tag::symbol, "RELIANCE"},
          {fix::tag::security_exchange, "NSE"}, {fix::tag::side, "1"},
          {fix::tag::order_qty, "10"},          {fix::tag::cum_qty, "0"},
          {fix::tag::leaves_qty, "10"},         {fix::tag::avg_px, "0"}};
}

class test_acceptor {
 public:
  explicit test_acceptor(net::io_context& io)
      : io_(io), acceptor_(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    do_accept();
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  // ---- behaviour ----
  bool answer_logon = true;
  bool answer_test_requests = true;
  bool echo_heartbeats = false;        // answer each Heartbeat with one (keeps the line busy)
  bool close_after_logon = false;      // accept the Logon, then close at once
  bool silent_after_logon = false;     // go half-open once logged on (this connection only)
  std::uint64_t expect_logon_seq = 0;  // refuse a Logon below it, as QuickFIX does

  // ---- what happened ----
  int connections = 0;
  int closed_by_peer = 0;
  std::vector<std::chrono::steady_clock::time_point> accepted_at;
  std::vector<received_message> received;  // every message from the initiator, in order
  std::uint64_t next_out = 1;

  std::vector<received_message> of_type(std::string_view type) const {
    std::vector<received_message> out;
    for (const auto& m : received) {
      if (m.type() == type) out.push_back(m);
    }
    return out;
  }
  bool connected() const { return socket_ && socket_->is_open(); }

  // Sends an application message with the next sequence number (kept for resends).
  std::uint64_t send_app(std::string_view msg_type, const body_fields& body) {
    const std::uint64_t seq = next_out++;
    sent_[seq] = {std::string(msg_type), body};
    write_message(msg_type, seq, body, false);
    return seq;
  }
  // Skips `n` outbound sequence numbers: those messages exist (for resends) but are not
  // sent now, so the initiator sees a gap.
  void skip_app(std::string_view msg_type, const body_fields& body) {
    const std::uint64_t seq = next_out++;
    sent_[seq] = {std::string(msg_type), body};
  }
  void send_admin(std::string_view msg_type, const body_fields& body) {
    write_message(msg_type, next_out++, body, false);
  }
  void send_raw(std::string bytes) { write(std::move(bytes)); }
  // Asks the initiator to resend from `begin` on.
  void request_resend(std::uint64_t begin) {
    send_admin("2", {{fix::tag::begin_seq_no, std::to_string(begin)}, {fix::tag::end_seq_no, "0"}});
  }
  void close() {
    if (socket_) {
      boost::system::error_code ec;
      socket_->close(ec);
    }
  }
  // Half-open: stop reading and writing without closing.
  void go_silent() { silent_ = true; }

 private:
  void do_accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket s) {
      if (ec) return;
      close();
      socket_ = std::make_shared<tcp::socket>(std::move(s));
      buffer_.clear();
      silent_ = false;
      ++connections;
      accepted_at.push_back(std::chrono::steady_clock::now());
      do_read(socket_);
      do_accept();
    });
  }

  void do_read(const std::shared_ptr<tcp::socket>& s) {
    s->async_read_some(
        net::buffer(chunk_), [this, s](const boost::system::error_code& ec, std::size_t n) {
          if (s != socket_) return;
          if (ec) {
            ++closed_by_peer;
            boost::system::error_code ignored;
            s->close(ignored);
            return;
          }
          if (silent_) return;  // half-open: stop reading for good
          buffer_.append(chunk_.data(), n);
          std::size_t used = 0;
          while (true) {
            const fix::frame_result f = fix::frame(std::string_view(buffer_).substr(used));
            if (f.status == fix::frame_status::need_more) break;
            used += f.consumed;
            if (f.status == fix::frame_status::complete) handle(std::string(f.message));
            if (!socket_ || !socket_->is_open() || silent_) break;
          }
          buffer_.erase(0, used);
          if (socket_ == s && s->is_open() && !silent_) do_read(s);
        });
  }

  void handle(std::string raw) {
    received.push_back({raw});
    const received_message& m = received.back();
    const std::string type = m.type();
    if (type == "A") {
      if (!answer_logon) return;
      if (m.seq() < expect_logon_seq) {
        send_admin("5", {{fix::tag::text, "MsgSeqNum too low, expecting " +
                                              std::to_string(expect_logon_seq) + " but received " +
                                              std::to_string(m.seq())}});
        return close();
      }
      if (m.get(fix::tag::reset_seq_num_flag) == "Y") next_out = 1;
      body_fields body{{fix::tag::encrypt_method, "0"},
                       {fix::tag::heart_bt_int, m.get(fix::tag::heart_bt_int)}};
      if (m.get(fix::tag::reset_seq_num_flag) == "Y") {
        body.emplace_back(fix::tag::reset_seq_num_flag, "Y");
      }
      send_admin("A", body);
      if (close_after_logon) return close();
      if (silent_after_logon) go_silent();
    } else if (type == "1" && answer_test_requests) {
      send_admin("0", {{fix::tag::test_req_id, m.get(fix::tag::test_req_id)}});
    } else if (type == "0" && echo_heartbeats && m.get(fix::tag::test_req_id).empty()) {
      send_admin("0", {});
    } else if (type == "2") {
      resend(std::stoull(m.get(fix::tag::begin_seq_no)), std::stoull(m.get(fix::tag::end_seq_no)));
    } else if (type == "5") {
      send_admin("5", {});
      close();
    }
  }

  void resend(std::uint64_t begin, std::uint64_t end) {
    if (end == 0 || end >= next_out) end = next_out - 1;
    std::uint64_t gap_from = begin;
    for (auto it = sent_.lower_bound(begin); it != sent_.end() && it->first <= end; ++it) {
      if (it->first > gap_from) gap_fill(gap_from, it->first);
      write_message(it->second.first, it->first, it->second.second, true);
      gap_from = it->first + 1;
    }
    if (gap_from <= end) gap_fill(gap_from, end + 1);
  }

  void gap_fill(std::uint64_t seq, std::uint64_t new_seq) {
    write_message("4", seq,
                  {{fix::tag::gap_fill_flag, "Y"}, {fix::tag::new_seq_no, std::to_string(new_seq)}},
                  true);
  }

  void write_message(std::string_view type, std::uint64_t seq, const body_fields& body,
                     bool poss_dup) {
    std::string out;
    fix::writer w(out);
    const auto now = utc_now();
    fix::header_fields h{"EXCH", "IRRA", seq, now, poss_dup, false, std::nullopt};
    if (poss_dup) h.orig_sending_time = now - std::chrono::seconds{1};
    w.begin(type, h);
    for (const auto& [t, v] : body) w.field(t, v);
    if (!w.finish()) throw std::logic_error("test acceptor: bad message");
    write(std::move(out));
  }

  void write(std::string bytes) {
    if (!socket_ || !socket_->is_open() || silent_) return;
    // Small messages on loopback: a blocking write is fine in a test.
    boost::system::error_code ec;
    net::write(*socket_, net::buffer(bytes), ec);
  }

  net::io_context& io_;
  tcp::acceptor acceptor_;
  std::shared_ptr<tcp::socket> socket_;
  std::array<char, 65536> chunk_{};
  std::string buffer_;
  bool silent_ = false;
  std::map<std::uint64_t, std::pair<std::string, body_fields>> sent_;
};

}  // namespace irra::fixnet::test
