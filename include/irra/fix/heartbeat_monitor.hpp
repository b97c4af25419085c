#pragma once
// The heartbeat rules of a logged-on FIX session as a pure function of time: send a
// Heartbeat after HeartBtInt without sending, a TestRequest after HeartBtInt + grace
// without receiving, and give up after twice that much silence.

#include <algorithm>
#include <chrono>

namespace irra::fix {

class heartbeat_monitor {
 public:
  using clock = std::chrono::steady_clock;
  enum class action { none, send_heartbeat, send_test_request, disconnect };

  heartbeat_monitor(clock::duration interval, clock::duration grace)
      : interval_(interval), grace_(grace) {}

  void start(clock::time_point now) {
    last_sent_ = last_received_ = now;
    test_request_outstanding_ = false;
  }
  void sent(clock::time_point now) { last_sent_ = now; }
  // Any message from the counterparty proves the line alive.
  void received(clock::time_point now) {
    last_received_ = now;
    test_request_outstanding_ = false;
  }
  void test_request_sent(clock::time_point now) {
    test_request_outstanding_ = true;
    last_sent_ = now;
  }

  action due(clock::time_point now) const {
    const auto silence = now - last_received_;
    if (test_request_outstanding_) {
      if (silence >= 2 * (interval_ + grace_)) return action::disconnect;
    } else if (silence >= interval_ + grace_) {
      return action::send_test_request;
    }
    if (now - last_sent_ >= interval_) return action::send_heartbeat;
    return action::none;
  }

  clock::time_point next_deadline() const {
    const auto silence_limit =
        test_request_outstanding_ ? 2 * (interval_ + grace_) : interval_ + grace_;
    return std::min(last_sent_ + interval_, last_received_ + silence_limit);
  }

 private:
  clock::duration interval_;
  clock::duration grace_;
  clock::time_point last_sent_{};
  clock::time_point last_received_{};
  bool test_request_outstanding_ = false;
};

}  // namespace irra::fix
