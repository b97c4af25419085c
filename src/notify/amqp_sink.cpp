// The `amqp` sink of sink.hpp: RabbitMQ-C, one connection, channel 1 in confirm mode.
//
// RabbitMQ-C blocks without a deadline in some calls (a publish into a full socket buffer
// waits forever for a broker that stopped reading, e.g. under a resource alarm), so every
// exchange with the broker runs under an IoGuard: a small thread that shuts the socket down
// when the deadline passes, which turns any such wait into an error.
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "irra/notify/outbox.hpp"
#include "irra/notify/sink.hpp"

namespace irra::notify {
namespace {

using steady = std::chrono::steady_clock;
constexpr amqp_channel_t channel = 1;
constexpr int frame_max = 131072;

timeval to_timeval(steady::duration d) {
  const auto us =
      std::max<long long>(0, std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(us / 1'000'000);
  tv.tv_usec = static_cast<suseconds_t>(us % 1'000'000);
  return tv;
}

amqp_bytes_t bytes_of(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string text_of(amqp_bytes_t b) {
  return std::string(static_cast<const char*>(b.bytes), b.len);
}

// Shuts a socket down when an operation on it outlives its deadline.
class IoGuard {
 public:
  IoGuard() : thread_([this] { run(); }) {}
  ~IoGuard() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  IoGuard(const IoGuard&) = delete;
  IoGuard& operator=(const IoGuard&) = delete;

  void arm(int fd, steady::time_point deadline) {
    {
      std::lock_guard lock(mutex_);
      fd_ = fd;
      deadline_ = deadline;
      fired_ = false;
    }
    wake_.notify_all();
  }
  // True when the deadline passed (the socket is shut down).
  bool disarm() {
    std::lock_guard lock(mutex_);
    fd_ = -1;
    return std::exchange(fired_, false);
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      if (fd_ < 0) {
        wake_.wait(lock);
        continue;
      }
      wake_.wait_until(lock, deadline_);
      if (fd_ >= 0 && steady::now() >= deadline_) {
        // Not close(): the descriptor stays the connection's, so it cannot be reused under
        // it; every blocked read or write on it now fails.
        ::shutdown(fd_, SHUT_RDWR);
        fired_ = true;
        fd_ = -1;
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  int fd_ = -1;                    // guarded by mutex_
  steady::time_point deadline_{};  // guarded by mutex_
  bool fired_ = false;             // guarded by mutex_
  bool stop_ = false;              // guarded by mutex_
  std::thread thread_;
};

struct Armed {
  Armed(IoGuard& g, int fd, steady::time_point deadline) : guard(g) { guard.arm(fd, deadline); }
  ~Armed() { guard.disarm(); }
  Armed(const Armed&) = delete;
  Armed& operator=(const Armed&) = delete;
  IoGuard& guard;
};

// Why an RPC failed, in one line ("" when it did not).
std::string reply_error(const amqp_rpc_reply_t& r, const char* what) {
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return {};
    case AMQP_RESPONSE_NONE:
      return std::string(what) + ": no reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return std::string(what) + ": " + amqp_error_string2(r.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        const auto* m = static_cast<const amqp_connection_close_t*>(r.reply.decoded);
        return std::string(what) +
               ": connection closed by the broker: " + std::to_string(m->reply_code) + " " +
               text_of(m->reply_text);
      }
      if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const auto* m = static_cast<const amqp_channel_close_t*>(r.reply.decoded);
        return std::string(what) +
               ": channel closed by the broker: " + std::to_string(m->reply_code) + " " +
               text_of(m->reply_text);
      }
      return std::string(what) + ": broker error";
  }
  return std::string(what) + ": failed";
}

class AmqpSink final : public Sink {
 public:
  AmqpSink(const std::string& url, AmqpOptions options) : options_(options) {
    amqp_connection_info ci{};
    amqp_default_connection_info(&ci);
    std::string copy = url;  // amqp_parse_url cuts its input in place
    if (amqp_parse_url(copy.data(), &ci) != AMQP_STATUS_OK) {
      throw std::invalid_argument("notify.amqp_url: not an AMQP URL");
    }
    host_ = ci.host;
    port_ = ci.port;
    user_ = ci.user;
    password_ = ci.password;
    // "amqp://host:5672/" names the empty vhost by the letter of the URI spec; everyone
    // means the default one.
    vhost_ = (ci.vhost == nullptr || *ci.vhost == '\0') ? "/" : ci.vhost;
    ssl_ = ci.ssl != 0;
  }
  ~AmqpSink() override { close(); }

  std::string describe() const override {
    return std::string(ssl_ ? "amqps " : "amqp ") + host_ + ":" + std::to_string(port_) +
           (vhost_ == "/" ? "/" : "/" + vhost_);
  }

  bool open(std::string& error) override {
    close();
    conn_ = amqp_new_connection();
    if (conn_ == nullptr) {
      error = "out of memory";
      return false;
    }
    error = connect();
    if (!error.empty()) {
      drop();
      return false;
    }
    return true;
  }

  bool is_open() const override { return conn_ != nullptr; }

  Delivery deliver(const std::vector<OutboxRow>& rows) override {
    Delivery d;
    d.confirmed.assign(rows.size(), false);
    const auto deadline = steady::now() + options_.confirm_timeout;
    Armed armed(guard_, amqp_get_sockfd(conn_), deadline);
    for (const auto& row : rows) {
      if (declared_.count(row.queue) == 0) {
        d.error = declare(row.queue);
        if (!d.error.empty()) return d;
      }
    }
    // Publish them all, then collect the confirms: one round trip per batch.
    const std::uint64_t first_tag = next_tag_;
    std::size_t published = 0;
    for (const auto& row : rows) {
      amqp_basic_properties_t p{};
      p._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
                 AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_APP_ID_FLAG;
      p.content_type = amqp_cstring_bytes("application/json");
      p.delivery_mode = AMQP_DELIVERY_PERSISTENT;
      p.message_id = bytes_of(row.event_id);
      p.app_id = amqp_cstring_bytes("irra");
      const int rc = amqp_basic_publish(conn_, channel, amqp_empty_bytes, bytes_of(row.queue),
                                        /*mandatory=*/1, /*immediate=*/0, &p, bytes_of(row.body));
      if (rc != AMQP_STATUS_OK) {
        d.error = std::string("publish: ") + amqp_error_string2(rc);
        break;
      }
      ++next_tag_;
      ++published;
    }
    std::vector<char> state(published, 0);  // 0 waiting, 1 acked, 2 nacked
    returned_.clear();
    std::size_t waiting = published;
    const auto settle = [&](std::uint64_t tag, bool multiple, char to) {
      const auto mark = [&](std::uint64_t t) {
        if (t < first_tag || t >= first_tag + published) return;
        char& s = state[t - first_tag];
        if (s == 0) --waiting;
        if (s != 2) s = to;  // a nack sticks
      };
      if (!multiple) return mark(tag);
      for (std::uint64_t t = first_tag; t <= tag && t < first_tag + published; ++t) mark(t);
    };
    while (d.error.empty() && waiting > 0) {
      const auto left = deadline - steady::now();
      if (left <= steady::duration::zero()) {
        d.error = "no confirm from the broker within " +
                  std::to_string(options_.confirm_timeout.count()) + " ms";
        break;
      }
      d.error = next_frame(left, settle);
    }
    if (armed.guard.disarm()) d.error = "the broker did not answer in time (socket shut down)";
    amqp_maybe_release_buffers(conn_);
    for (std::size_t i = 0; i < published; ++i) {
      d.confirmed[i] = state[i] == 1 && returned_.count(rows[i].event_id) == 0;
    }
    if (!returned_.empty()) declared_.clear();  // a queue went away: declare again
    return d;
  }

  void close() override {
    if (conn_ == nullptr) return;
    {
      // A polite close, bounded: the broker may be gone.
      Armed armed(guard_, amqp_get_sockfd(conn_), steady::now() + std::chrono::seconds(2));
      amqp_channel_close(conn_, channel, AMQP_REPLY_SUCCESS);
      amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
    }
    drop();
  }

 private:
  // Connects conn_ (new); "" on success, else why not.
  std::string connect() {
    amqp_socket_t* socket = nullptr;
    if (ssl_) {
      socket = amqp_ssl_socket_new(conn_);
      if (socket != nullptr) {
        amqp_ssl_socket_set_verify_peer(socket, 1);
        amqp_ssl_socket_set_verify_hostname(socket, 1);
        const char* bundle = "/etc/ssl/certs/ca-certificates.crt";
        if (std::filesystem::exists(bundle)) amqp_ssl_socket_set_cacert(socket, bundle);
      }
    } else {
      socket = amqp_tcp_socket_new(conn_);
    }
    if (socket == nullptr) return "cannot create a socket";
    const auto deadline = steady::now() + options_.connect_timeout;
    timeval tv = to_timeval(options_.connect_timeout);
    int rc = amqp_socket_open_noblock(socket, host_.c_str(), port_, &tv);
    if (rc != AMQP_STATUS_OK) {
      return "connect to " + host_ + ":" + std::to_string(port_) + ": " + amqp_error_string2(rc);
    }
    amqp_set_handshake_timeout(conn_, &tv);
    amqp_set_rpc_timeout(conn_, &tv);
    Armed armed(guard_, amqp_get_sockfd(conn_), deadline);
    std::string err =
        reply_error(amqp_login(conn_, vhost_.c_str(), 0, frame_max, 0, AMQP_SASL_METHOD_PLAIN,
                               user_.c_str(), password_.c_str()),
                    "login");
    if (err.empty()) {
      amqp_channel_open(conn_, channel);
      err = reply_error(amqp_get_rpc_reply(conn_), "channel.open");
    }
    if (err.empty()) {
      amqp_confirm_select(conn_, channel);
      err = reply_error(amqp_get_rpc_reply(conn_), "confirm.select");
    }
    next_tag_ = 1;  // delivery tags count from 1 on each channel in confirm mode
    declared_.clear();
    for (const auto q : {queue_orders, queue_trades, queue_notifications}) {
      if (err.empty()) err = declare(std::string(q));
    }
    if (armed.guard.disarm() && err.empty()) err = "the broker did not answer in time";
    return err;
  }

  std::string declare(const std::string& queue) {
    amqp_queue_declare(conn_, channel, bytes_of(queue), /*passive=*/0, /*durable=*/1,
                       /*exclusive=*/0, /*auto_delete=*/0, amqp_empty_table);
    std::string err = reply_error(amqp_get_rpc_reply(conn_), ("queue.declare " + queue).c_str());
    if (err.empty()) declared_.insert(queue);
    return err;
  }

  // Waits up to `left` for one frame and handles it; "" unless the connection broke.
  template <class Settle>
  std::string next_frame(steady::duration left, Settle& settle) {
    amqp_frame_t f{};
    timeval tv = to_timeval(left);
    const int rc = amqp_simple_wait_frame_noblock(conn_, &f, &tv);
    if (rc == AMQP_STATUS_TIMEOUT) return {};  // the caller checks its deadline
    if (rc != AMQP_STATUS_OK) return std::string("waiting for confirms: ") + amqp_error_string2(rc);
    if (f.frame_type != AMQP_FRAME_METHOD) return {};
    switch (f.payload.method.id) {
      case AMQP_BASIC_ACK_METHOD: {
        const auto* m = static_cast<const amqp_basic_ack_t*>(f.payload.method.decoded);
        settle(m->delivery_tag, m->multiple != 0, 1);
        return {};
      }
      case AMQP_BASIC_NACK_METHOD: {
        const auto* m = static_cast<const amqp_basic_nack_t*>(f.payload.method.decoded);
        settle(m->delivery_tag, m->multiple != 0, 2);
        return {};
      }
      case AMQP_BASIC_RETURN_METHOD: {  // unroutable; its basic.ack follows
        amqp_message_t msg{};
        const auto r = amqp_read_message(conn_, f.channel, &msg, 0);
        if (r.reply_type != AMQP_RESPONSE_NORMAL) return reply_error(r, "reading a return");
        if (msg.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
          returned_.insert(text_of(msg.properties.message_id));
        }
        amqp_destroy_message(&msg);
        return {};
      }
      case AMQP_CHANNEL_CLOSE_METHOD: {
        const auto* m = static_cast<const amqp_channel_close_t*>(f.payload.method.decoded);
        return "channel closed by the broker: " + std::to_string(m->reply_code) + " " +
               text_of(m->reply_text);
      }
      case AMQP_CONNECTION_CLOSE_METHOD: {
        const auto* m = static_cast<const amqp_connection_close_t*>(f.payload.method.decoded);
        return "connection closed by the broker: " + std::to_string(m->reply_code) + " " +
               text_of(m->reply_text);
      }
      default:  // connection.blocked and the like: the deadline decides
        return {};
    }
  }

  void drop() {
    if (conn_ != nullptr) amqp_destroy_connection(conn_);
    conn_ = nullptr;
    declared_.clear();
  }

  const AmqpOptions options_;
  std::string host_, user_, password_, vhost_;
  int port_ = 5672;
  bool ssl_ = false;
  amqp_connection_state_t conn_ = nullptr;
  std::uint64_t next_tag_ = 1;
  std::set<std::string, std::less<>> declared_;
  std::unordered_set<std::string> returned_;  // message ids returned in the current batch
  IoGuard guard_;                             // last: its thread stops before the rest goes
};

}  // namespace

std::unique_ptr<Sink> make_amqp_sink(const std::string& url, AmqpOptions options) {
  return std::make_unique<AmqpSink>(url, options);
}

}  // namespace irra::notify
