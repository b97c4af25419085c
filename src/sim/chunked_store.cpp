#include "chunked_store.hpp"

namespace irra::sim {

void chunked_store::save(std::uint64_t seq, std::string_view raw) {
  // A message too long for the index (never an ExecutionReport) is gap-filled on resend.
  if (seq == 0 || raw.empty() || raw.size() >= (1u << 16) || raw.size() > chunk_bytes) return;
  if (chunks_.empty() || chunks_.back().size() + raw.size() > chunk_bytes) {
    // Chunk numbers live in 24 bits of the index (128 TiB of messages): never reached.
    if (first_chunk_no_ + chunks_.size() + 1 >= (1u << 24)) return;
    chunks_.emplace_back().reserve(chunk_bytes);
    per_chunk_count_.push_back(0);
  }
  const std::uint64_t chunk_no = first_chunk_no_ + chunks_.size() - 1;
  std::string& chunk = chunks_.back();
  const std::uint64_t offset = chunk.size();
  chunk.append(raw);
  if (index_.size() < seq) index_.resize(seq, 0);
  index_[seq - 1] = (chunk_no << 40) | (offset << 16) | raw.size();
  ++per_chunk_count_.back();
  ++stored_;
  // Whole chunks go, oldest first, while at least `window` messages remain.
  while (chunks_.size() > 1 && stored_ - per_chunk_count_.front() >= window_) {
    stored_ -= per_chunk_count_.front();
    evicted_ += per_chunk_count_.front();
    per_chunk_count_.pop_front();
    chunks_.pop_front();
    ++first_chunk_no_;
  }
}

void chunked_store::load(std::uint64_t begin, std::uint64_t end,
                         std::vector<fix::stored_message>& out) {
  if (begin == 0) begin = 1;
  for (std::uint64_t seq = begin; seq <= end && seq <= index_.size(); ++seq) {
    const std::uint64_t e = index_[seq - 1];
    if (e == 0) continue;
    const std::uint64_t chunk_no = e >> 40;
    if (chunk_no < first_chunk_no_) continue;  // evicted
    const std::string& chunk = chunks_[chunk_no - first_chunk_no_];
    out.push_back({seq, chunk.substr((e >> 16) & 0xffffff, e & 0xffff)});
  }
}

void chunked_store::reset() {
  chunks_.clear();
  per_chunk_count_.clear();
  index_.clear();
  first_chunk_no_ = 0;
  stored_ = 0;
}

}  // namespace irra::sim
