#pragma once
// A real Initiator (on a strand of a test-owned io_context) connected to the in-process
// test_acceptor over 127.0.0.1, with a handler that records what the session delivers.

#include <algorithm>
#include <boost/asio/strand.hpp>
#include <memory>
#include <string>
#include <vector>

#include "irra/fix/message_store.hpp"
#include "irra/fix/session_state.hpp"
#include "irra/fixnet/initiator.hpp"
#include "test_acceptor.hpp"

namespace irra::fixnet::test {

struct recording_handler : fix::session_handler {
  struct app {
    std::uint64_t seq;
    std::string raw;
  };
  void on_application(const fix::message& m, std::uint64_t seq) override {
    apps.push_back({seq, std::string(m.raw())});
  }
  void on_logon() override { ++logons; }
  void on_logout(std::string_view text) override { logouts.emplace_back(text); }
  void on_event(fix::session_event e, std::string_view) override { events.push_back(e); }
  std::size_t count(fix::session_event e) const {
    return static_cast<std::size_t>(std::count(events.begin(), events.end(), e));
  }
  std::vector<std::uint64_t> app_seqs() const {
    std::vector<std::uint64_t> s;
    for (const auto& a : apps) s.push_back(a.seq);
    return s;
  }
  std::vector<app> apps;
  int logons = 0;
  std::vector<std::string> logouts;
  std::vector<fix::session_event> events;
};

struct initiator_fixture {
  net::io_context io;
  test_acceptor exch{io};
  fix::memory_message_store store;
  recording_handler handler;
  std::shared_ptr<Initiator> initiator;

  initiator_options options(std::chrono::seconds heart_bt_int = std::chrono::seconds{30}) {
    initiator_options o;
    o.name = "test";
    o.host = "127.0.0.1";
    o.port = exch.port();
    o.session.sender_comp_id = "IRRA";
    o.session.target_comp_id = "EXCH";
    o.session.heart_bt_int = heart_bt_int;
    o.session.test_request_grace = std::chrono::milliseconds{200};
    o.reconnect_min = std::chrono::milliseconds{50};
    o.reconnect_max = std::chrono::milliseconds{400};
    o.connect_timeout = std::chrono::milliseconds{2000};
    o.stop_timeout = std::chrono::milliseconds{1000};
    o.jitter_seed = 42;
    return o;
  }

  void start(initiator_options o) {
    initiator = Initiator::create(net::make_strand(io), std::move(o), store, handler);
    initiator->start();
  }

  initiator_phase phase() const { return initiator->status().phase; }

  bool wait_active(std::chrono::milliseconds timeout = std::chrono::seconds{5}) {
    return run_until(
        io, [&] { return phase() == initiator_phase::active; }, timeout);
  }

  ~initiator_fixture() {
    if (!initiator) return;
    bool stopped = false;
    initiator->stop([&] { stopped = true; });
    run_until(
        io, [&] { return stopped; }, std::chrono::seconds{3});
  }
};

}  // namespace irra::fixnet::test
