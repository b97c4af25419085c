// The transport of one FIX initiator session (drop copy, order entry or market data): it
// connects to the exchange (optionally over TLS), feeds the pure fix::session_state with
// received bytes and timer ticks, writes what the session produces, and reconnects with
// capped exponential backoff and jitter whenever the connection is lost or the session
// asks to disconnect. The session layer (logon, heartbeats, gaps, resends) is entirely
// fix::session_state's; this class only moves bytes and keeps time.
//
// Durability barrier (order entry): when initiator_options::durable_out_seq is set, an
// application message with MsgSeqNum N reaches the socket only once durable_out_seq()
// returns >= N; the caller calls durability_advanced() when that number grows. Admin
// messages queued before a held message go out at once; everything queued after it waits
// behind it, because the byte stream must keep MsgSeqNum order. So after a crash the
// exchange can only have seen messages that are in the caller's store, and its
// ResendRequest is answered with the exact bytes (PossDupFlag=Y).
//
// Lost outbound numbers: only application messages wait for durability, so after a crash
// the persisted next_out_seq may be behind admin messages (heartbeats) that did go out;
// the exchange then refuses the Logon with "MsgSeqNum too low, expecting N" (QuickFIX's
// wording, and the FIX session layer's). The initiator takes N for its next Logon: the
// numbers skipped can only be admin messages, which a ResendRequest gap-fills anyway.
//
// Lifetime: create() returns a shared_ptr; pending operations keep the object alive, so
// the owner may drop its pointer after stop() has completed. The message_store and
// session_handler must outlive the initiator (or at least the io_context's run).
//
// Thread rule: everything runs on the executor given to create() (a strand, normally the
// trading engine's). start() and stop() may be called from any thread; status() from any
// thread; every other member function only on that executor. The handler's callbacks
// and the option callbacks are invoked on it.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "irra/fix/session_state.hpp"
#include "irra/fixnet/backoff.hpp"
#include "irra/fixnet/initiator_status.hpp"
#include "irra/fixnet/output_queue.hpp"

namespace irra::config {
struct ExchangeConfig;
struct FixSessionConfig;
}  // namespace irra::config

namespace irra::fixnet {

struct initiator_options {
  std::string name;  // for logs and status, e.g. "order_entry"
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  fix::session_config session;

  std::chrono::milliseconds connect_timeout{5000};  // resolve + connect + TLS handshake
  std::chrono::milliseconds reconnect_min{500};
  std::chrono::milliseconds reconnect_max{10000};
  // stop(): how long to wait for the Logout reply before closing anyway.
  std::chrono::milliseconds stop_timeout{3000};
  // When the session asks to disconnect: how long its last bytes (a Logout) may take.
  std::chrono::milliseconds close_timeout{1000};

  // TLS: verify the peer's certificate chain and host name. tls_context may supply the
  // trust anchors (and a client certificate); null means the system's default CAs.
  bool tls = false;
  std::shared_ptr<boost::asio::ssl::context> tls_context;

  std::size_t max_queued_bytes = 16 * 1024 * 1024;  // beyond it: disconnect (peer not reading)
  std::size_t receive_buffer_bytes = 256 * 1024;    // > fix::max_message_size, bounded

  // Time for the session: steady for timers, UTC for SendingTime. Default: the system's.
  std::function<fix::session_time()> clock;
  // Seed of the backoff jitter; 0 draws one from std::random_device.
  std::uint64_t jitter_seed = 0;

  // The durability barrier (see above); empty: no barrier.
  std::function<std::uint64_t()> durable_out_seq;
  // Called when next_in_seq / next_out_seq changed, after the bytes that changed them were
  // handled (so the caller can persist them, e.g. Engine::on_session_seq).
  std::function<void(std::uint64_t next_in_seq, std::uint64_t next_out_seq)> on_sequence_numbers;
  // Called when phase() changes (e.g. Engine::set_session_status).
  std::function<void(initiator_phase)> on_phase;
};

// Options for one of the three sessions from the exchange configuration (host/port are
// the session's effective ones; heartbeat, reconnect bounds and TLS are the exchange's).
initiator_options options_from_config(const config::ExchangeConfig& exchange,
                                      const config::FixSessionConfig& session, std::string name);

class Initiator : public std::enable_shared_from_this<Initiator>, private fix::session_handler {
 public:
  static std::shared_ptr<Initiator> create(boost::asio::any_io_executor executor,
                                           initiator_options options, fix::message_store& store,
                                           fix::session_handler& handler);
  ~Initiator() override;
  Initiator(const Initiator&) = delete;
  Initiator& operator=(const Initiator&) = delete;

  // Before start() (or on the executor while stopped): the persisted sequence numbers
  // (1 and 1 for a fresh exchange day).
  void restore(std::uint64_t next_in_seq, std::uint64_t next_out_seq);
  // The next Logon carries ResetSeqNumFlag=Y and both sides restart at 1 (the first logon
  // of a new exchange day); cleared once a Logon succeeds.
  void request_sequence_reset() { reset_pending_ = true; }

  // Starts connecting (and reconnecting, until stop()).
  void start();
  // Logs out (waiting up to stop_timeout for the reply), closes, and stops reconnecting;
  // then `done` runs on the executor. Safe to call more than once.
  void stop(std::function<void()> done = {});

  // Sends an application message whose body `write_body(fix::writer&) -> bool` writes.
  // Returns its MsgSeqNum, or 0 when not logged on (nothing is sent or numbered).
  template <class Body>
  std::uint64_t send_application(std::string_view msg_type, Body&& write_body) {
    if (!can_send()) return 0;
    const std::uint64_t seq =
        session_.send_application(msg_type, now(), std::forward<Body>(write_body));
    if (seq != 0) {
      app_messages_out_.fetch_add(1, std::memory_order_relaxed);
      schedule_pump();
    }
    return seq;
  }

  // The caller's durable_out_seq() grew: release held output.
  void durability_advanced();

  // Logged on and not closing: application messages can be sent.
  bool can_send() const;
  const fix::session_state& session() const { return session_; }
  fix::session_time now() const;
  const initiator_options& options() const { return options_; }
  // A consistent-enough snapshot (counters are read one by one); any thread.
  initiator_status status() const;

 private:
  struct connection;
  enum class state : std::uint8_t { stopped, waiting, connecting, connected };

  Initiator(boost::asio::any_io_executor executor, initiator_options options,
            fix::message_store& store, fix::session_handler& handler);

  // fix::session_handler, forwarding to the caller's handler
  void on_application(const fix::message& m, std::uint64_t seq) override;
  void on_logon() override;
  void on_logout(std::string_view text) override;
  void on_event(fix::session_event e, std::string_view detail) override;

  // connecting (initiator.cpp)
  void do_start();
  void do_stop(std::function<void()> done);
  void connect();
  void on_resolved(const std::shared_ptr<connection>& c, const boost::system::error_code& ec,
                   const boost::asio::ip::tcp::resolver::results_type& results);
  void on_tcp_connected(const std::shared_ptr<connection>& c, const boost::system::error_code& ec);
  void on_ready(const std::shared_ptr<connection>& c);
  void drop(std::string_view reason);
  void schedule_reconnect(bool was_stable);
  void finish_stop();
  // reading, writing, timers (initiator_io.cpp)
  void do_read(const std::shared_ptr<connection>& c);
  void on_read(const std::shared_ptr<connection>& c, const boost::system::error_code& ec,
               std::size_t n);
  void schedule_pump();
  void pump();
  bool enqueue(std::string_view bytes);
  void do_write();
  void on_write(const std::shared_ptr<connection>& c, const boost::system::error_code& ec,
                std::size_t n);
  void arm_timer();
  void on_deadline();
  std::uint64_t durable() const;
  void publish_progress();
  void set_error(std::string_view reason);

  boost::asio::any_io_executor executor_;
  initiator_options options_;
  fix::session_handler& handler_;
  fix::session_state session_;
  std::shared_ptr<boost::asio::ssl::context> ssl_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer timer_;
  backoff backoff_;
  output_queue queue_;
  fix::message scan_;  // splits outbound bytes into messages for the barrier

  state state_ = state::stopped;
  std::shared_ptr<connection> conn_;  // the current attempt or connection; null otherwise
  bool stopping_ = false;
  bool closing_ = false;  // the session asked to disconnect: flushing its last bytes
  bool pump_posted_ = false;
  bool reset_pending_ = false;
  bool logged_on_ = false;  // the current connection completed a Logon
  // From a Logon refused with "MsgSeqNum too low, expecting N": the next Logon uses N.
  std::uint64_t next_out_hint_ = 0;
  std::function<void()> stop_done_;
  using time_point = std::chrono::steady_clock::time_point;
  time_point deadline_{};  // connect, reconnect, close or stop deadline (per state)
  time_point armed_ = time_point::max();
  time_point fired_ = time_point::min();  // the deadline that fired last
  std::uint64_t timer_gen_ = 0;
  time_point logged_on_at_{};
  std::uint64_t reported_in_ = 0;
  std::uint64_t reported_out_ = 0;
  initiator_phase reported_phase_ = initiator_phase::stopped;

  // Read by status() from any thread.
  std::atomic<initiator_phase> phase_{initiator_phase::stopped};
  std::atomic<std::uint64_t> connects_{0}, connect_failures_{0}, logons_{0}, disconnects_{0};
  std::atomic<std::uint64_t> bytes_in_{0}, bytes_out_{0}, messages_in_{0}, messages_out_{0};
  std::atomic<std::uint64_t> app_messages_in_{0}, app_messages_out_{0};
  std::atomic<std::uint64_t> next_in_{1}, next_out_{1}, queued_bytes_{0};
  std::atomic<std::uint64_t> events_[9]{};  // by fix::session_event
  mutable std::mutex error_mutex_;
  std::string last_error_;  // guarded by error_mutex_
};

}  // namespace irra::fixnet
