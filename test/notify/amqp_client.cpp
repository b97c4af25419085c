#include "amqp_client.hpp"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <cstdlib>
#include <stdexcept>

namespace irra::notify::test {
namespace {

amqp_bytes_t bytes_of(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}
std::string text_of(amqp_bytes_t b) {
  return std::string(static_cast<const char*>(b.bytes), b.len);
}

}  // namespace

std::string amqp_url() {
  const char* env = std::getenv("IRRA_TEST_AMQP_URL");
  return env != nullptr ? std::string(env) : std::string();
}

struct AmqpClient::State {
  amqp_connection_state_t conn = nullptr;
};

AmqpClient::AmqpClient(const std::string& url) : s_(new State) {
  amqp_connection_info ci{};
  std::string copy = url;
  if (amqp_parse_url(copy.data(), &ci) != AMQP_STATUS_OK) {
    delete s_;
    throw std::runtime_error("bad AMQP URL " + url);
  }
  const std::string vhost = (ci.vhost == nullptr || *ci.vhost == '\0') ? "/" : ci.vhost;
  s_->conn = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(s_->conn);
  timeval tv{5, 0};
  if (socket == nullptr || amqp_socket_open_noblock(socket, ci.host, ci.port, &tv) != 0) {
    amqp_destroy_connection(s_->conn);
    delete s_;
    throw std::runtime_error("cannot connect to " + url);
  }
  amqp_set_rpc_timeout(s_->conn, &tv);
  const auto r = amqp_login(s_->conn, vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, ci.user,
                            ci.password);
  if (r.reply_type != AMQP_RESPONSE_NORMAL) {
    amqp_destroy_connection(s_->conn);
    delete s_;
    throw std::runtime_error("login failed at " + url);
  }
  amqp_channel_open(s_->conn, 1);
  check("channel.open");
}

AmqpClient::~AmqpClient() {
  amqp_channel_close(s_->conn, 1, AMQP_REPLY_SUCCESS);
  amqp_connection_close(s_->conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(s_->conn);
  delete s_;
}

void AmqpClient::check(const char* what) {
  const auto r = amqp_get_rpc_reply(s_->conn);
  if (r.reply_type != AMQP_RESPONSE_NORMAL) throw std::runtime_error(std::string(what) + " failed");
}

std::uint32_t AmqpClient::declare(const std::string& queue) {
  auto* ok = amqp_queue_declare(s_->conn, 1, bytes_of(queue), 0, 1, 0, 0, amqp_empty_table);
  check("queue.declare");
  return ok->message_count;
}

std::uint32_t AmqpClient::count(const std::string& queue) {
  auto* ok = amqp_queue_declare(s_->conn, 1, bytes_of(queue), 1, 0, 0, 0, amqp_empty_table);
  check("queue.declare passive");  // a missing queue closes the channel: the client is done
  return ok->message_count;
}

void AmqpClient::purge(const std::string& queue) {
  amqp_queue_purge(s_->conn, 1, bytes_of(queue));
  check("queue.purge");
}

void AmqpClient::remove(const std::string& queue) {
  amqp_queue_delete(s_->conn, 1, bytes_of(queue), 0, 0);
  check("queue.delete");
}

std::vector<AmqpMessage> AmqpClient::consume(const std::string& queue, std::size_t max,
                                             std::chrono::milliseconds idle) {
  std::vector<AmqpMessage> out;
  amqp_basic_qos(s_->conn, 1, 0, 1000, 0);
  check("basic.qos");
  auto* ok = amqp_basic_consume(s_->conn, 1, bytes_of(queue), amqp_empty_bytes, 0, /*no_ack=*/0, 0,
                                amqp_empty_table);
  check("basic.consume");
  const std::string tag = text_of(ok->consumer_tag);
  while (out.size() < max) {
    amqp_envelope_t env{};
    amqp_maybe_release_buffers(s_->conn);
    timeval tv{static_cast<time_t>(idle.count() / 1000),
               static_cast<suseconds_t>((idle.count() % 1000) * 1000)};
    const auto r = amqp_consume_message(s_->conn, &env, &tv, 0);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) break;  // idle (timeout) or an error
    AmqpMessage m;
    const auto& p = env.message.properties;
    if (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG) m.message_id = text_of(p.message_id);
    if (p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG) m.content_type = text_of(p.content_type);
    if (p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) m.delivery_mode = p.delivery_mode;
    m.body = text_of(env.message.body);
    amqp_basic_ack(s_->conn, 1, env.delivery_tag, 0);
    amqp_destroy_envelope(&env);
    out.push_back(std::move(m));
  }
  // Unacknowledged deliveries beyond `max` go back to the queue with the cancel.
  amqp_basic_cancel(s_->conn, 1, bytes_of(tag));
  return out;
}

}  // namespace irra::notify::test
