// The initiator's bounded queue of bytes waiting for the socket, with the durability
// barrier: each run of bytes carries a "hold" sequence number and may leave only once the
// caller's durable sequence number has reached it. Order is strictly preserved: nothing
// overtakes held bytes, so the counterparty never sees a MsgSeqNum gap we created.
// Pure (no I/O). Thread rule: owned by one initiator, used on its strand only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace irra::fixnet {

class output_queue {
 public:
  explicit output_queue(std::size_t limit_bytes) : limit_(limit_bytes) {}

  // Appends `bytes` (whole messages). hold == 0: may leave as soon as everything before it
  // has; hold == N: only once durable >= N. False, appending nothing, when the queue
  // would exceed its limit (the peer is not reading, or durability has stalled).
  [[nodiscard]] bool push(std::string_view bytes, std::uint64_t hold);

  // Appends to `out` the bytes at the front that may leave now (hold <= durable), whole
  // runs only, stopping once `out` holds at least `max_bytes`. Returns the bytes moved.
  std::size_t take_ready(std::uint64_t durable, std::string& out, std::size_t max_bytes);

  // True when the front run is held by the barrier.
  bool front_held(std::uint64_t durable) const {
    return !runs_.empty() && runs_.front().hold > durable;
  }
  std::size_t size_bytes() const { return bytes_; }
  bool empty() const { return runs_.empty(); }
  void clear();

 private:
  struct run {
    std::string bytes;
    std::uint64_t hold = 0;
  };
  std::deque<run> runs_;
  std::size_t bytes_ = 0;
  std::size_t limit_;
};

}  // namespace irra::fixnet
