// The simulator's message store: every application message a session sent, kept so that
// a ResendRequest can be answered after a disconnect or a kill -9 of the initiator.
// Messages are packed into large chunks (a drop copy at 100,000 reports/s would cost a
// heap node per message in memory_message_store); beyond `window` messages the oldest
// chunks are dropped and a resend gap-fills over them (counted in evicted()).
// Thread rule: used by one session on the simulator's single thread.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "irra/fix/message_store.hpp"

namespace irra::sim {

class chunked_store final : public fix::message_store {
 public:
  explicit chunked_store(std::uint64_t window) : window_(window) {}

  void save(std::uint64_t seq, std::string_view raw) override;
  void load(std::uint64_t begin, std::uint64_t end, std::vector<fix::stored_message>& out) override;
  void reset() override;

  std::uint64_t stored() const { return stored_; }
  std::uint64_t evicted() const { return evicted_; }

 private:
  static constexpr std::size_t chunk_bytes = 8 << 20;

  std::uint64_t window_;
  std::deque<std::string> chunks_;
  std::uint64_t first_chunk_no_ = 0;  // number of chunks_.front()
  // index_[seq - 1]: chunk number (24 bits), offset (24 bits), length (16 bits); 0 = none.
  std::vector<std::uint64_t> index_;
  std::deque<std::uint64_t> per_chunk_count_;
  std::uint64_t stored_ = 0;  // messages currently retrievable
  std::uint64_t evicted_ = 0;
};

}  // namespace irra::sim
