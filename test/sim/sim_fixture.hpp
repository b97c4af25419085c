// Test helpers for the exchange simulator: a small start-of-day dump written to a
// temporary folder, the simulator running in process on its own thread (ports chosen by
// the OS), a FIX initiator built on the project's own session layer (irra::fix::
// session_state) over a plain socket, and a one-shot HTTP client.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "irra/fix/message.hpp"
#include "irra/fix/message_store.hpp"
#include "irra/fix/messages.hpp"
#include "irra/fix/session_state.hpp"
#include "sim_options.hpp"
#include "simulator.hpp"

namespace irra::sim::test {

// A folder removed with its contents on destruction.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes a valid dump: clients C000001 (eligible), C000002 (ineligible), C000003;
// NSE:RELIANCE (EQ, tick 0.05, band 2205.45-2695.55, prev close 2450.50, freeze 100000),
// NSE:NIFTY24DEC24000CE (FO, lot 25, freeze 1800, band 0.05-950, prev close 312.40);
// carried-forward positions C000001 RELIANCE CNC +10 and C000002 NIFTY NRML -50.
void write_test_dump(const std::filesystem::path& dir);

// The simulator on a background thread.
class running_sim {
 public:
  // Ports are 0 (any free port); `tune` may change the other options first.
  explicit running_sim(std::function<void(sim_options&)> tune = {});
  ~running_sim();
  std::uint16_t fix_port() const { return fix_port_; }
  std::uint16_t http_port() const { return http_port_; }
  const std::filesystem::path& journal_path() const { return journal_; }

 private:
  temp_dir dir_;
  std::filesystem::path journal_;
  boost::asio::io_context ioc_{1};
  std::unique_ptr<simulator> sim_;
  std::thread thread_;
  std::uint16_t fix_port_ = 0;
  std::uint16_t http_port_ = 0;
};

struct http_result {
  int status = 0;
  std::string body;
};
// One request over a fresh connection ("GET", "/health"); status 0 when it failed.
http_result http_call(std::uint16_t port, const std::string& method, const std::string& target);

// A FIX initiator talking to the simulator through the project's session layer.
class fix_client : public fix::session_handler {
 public:
  fix_client(std::uint16_t port, std::string target_comp_id, std::string sender = "IRRA",
             std::chrono::seconds heart_bt_int = std::chrono::seconds{30});
  ~fix_client() override;

  // Connects and logs on (ResetSeqNumFlag=Y when new_day); true once logged on.
  bool logon(bool new_day = true, std::chrono::milliseconds timeout = std::chrono::seconds{5});
  // Continues the numbering of an earlier session (as IRRA after a restart).
  void restore(std::uint64_t next_in, std::uint64_t next_out) {
    session_.restore(next_in, next_out);
  }
  // Pumps the socket until pred() or the timeout; returns pred().
  bool wait_for(const std::function<bool()>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds{5});
  // Sends an application message; returns its MsgSeqNum (0 if refused).
  std::uint64_t send(const fix::new_order_single& m);
  std::uint64_t send(const fix::order_cancel_request& m);
  std::uint64_t send(const fix::market_data_request& m);
  // Raw bytes straight to the socket (bypassing the session).
  void send_raw(const std::string& bytes);
  void disconnect();

  bool logged_on() const { return session_.phase() == fix::session_phase::active; }
  bool connected() const { return fd_ >= 0; }
  const fix::session_state& session() const { return session_; }
  // Every application message received, in order, as raw bytes.
  const std::deque<std::string>& received() const { return received_; }
  std::vector<fix::session_event>& events() { return events_; }
  // Benchmarks count application messages without keeping them.
  bool keep_messages = true;
  std::uint64_t application_count() const { return app_count_; }
  // Decoded ExecutionReports received so far (views into received()).
  std::vector<fix::execution_report> reports() const;
  std::size_t count_type(std::string_view msg_type) const;

  // session_handler
  void on_application(const fix::message& m, std::uint64_t seq) override;
  void on_event(fix::session_event e, std::string_view detail) override;

 private:
  void pump(std::chrono::milliseconds max_wait);
  void flush();
  fix::session_time now() const;

  std::uint16_t port_;
  fix::memory_message_store store_;
  fix::session_state session_;
  int fd_ = -1;
  std::string in_;
  std::deque<std::string> received_;
  std::uint64_t app_count_ = 0;
  std::vector<fix::session_event> events_;
};

// A NewOrderSingle for C000001 on NSE:RELIANCE, CNC; change what the test needs.
fix::new_order_single reliance_order(std::string_view cl_ord_id, char side, std::int64_t qty,
                                     std::optional<std::int64_t> price);

}  // namespace irra::sim::test
