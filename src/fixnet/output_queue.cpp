#include "irra/fixnet/output_queue.hpp"

namespace irra::fixnet {

bool output_queue::push(std::string_view bytes, std::uint64_t hold) {
  if (bytes.empty()) return true;
  if (bytes_ + bytes.size() > limit_) return false;
  // Bytes behind a held run wait for it anyway, so they join it (raising its hold if
  // needed); a held message behind free bytes starts a run of its own so that those
  // free bytes can leave without it.
  if (!runs_.empty() && (runs_.back().hold != 0 || hold == 0)) {
    run& last = runs_.back();
    last.bytes.append(bytes);
    if (hold > last.hold) last.hold = hold;
  } else {
    runs_.push_back(run{std::string(bytes), hold});
  }
  bytes_ += bytes.size();
  return true;
}

std::size_t output_queue::take_ready(std::uint64_t durable, std::string& out,
                                     std::size_t max_bytes) {
  std::size_t moved = 0;
  while (!runs_.empty() && runs_.front().hold <= durable && out.size() < max_bytes) {
    run& front = runs_.front();
    moved += front.bytes.size();
    bytes_ -= front.bytes.size();
    if (out.empty()) {
      out.swap(front.bytes);
    } else {
      out.append(front.bytes);
    }
    runs_.pop_front();
  }
  return moved;
}

void output_queue::clear() {
  runs_.clear();
  bytes_ = 0;
}

}  // namespace irra::fixnet
