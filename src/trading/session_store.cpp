#include "irra/trading/session_store.hpp"

#include "irra/trading/engine.hpp"

namespace irra::trading {

SessionStore::SessionStore(Engine& engine, std::string name)
    : engine_(engine), name_(std::move(name)) {}

void SessionStore::save(std::uint64_t seq, std::string_view raw) {
  sent_[seq] = std::string(raw);
  if (seq + 1 > next_out_) next_out_ = seq + 1;
  engine_.save_outbound(*this, seq, raw);
}

void SessionStore::load(std::uint64_t begin, std::uint64_t end,
                        std::vector<fix::stored_message>& out) {
  for (auto it = sent_.lower_bound(begin); it != sent_.end() && it->first <= end; ++it) {
    out.push_back(fix::stored_message{it->first, it->second});
  }
}

void SessionStore::reset() {
  sent_.clear();
  next_in_ = 1;
  next_out_ = 1;
  durable_out_ = 0;
  ++epoch_;
  engine_.reset_session(*this);
}

void SessionStore::restore(std::uint64_t next_in, std::uint64_t next_out,
                           std::uint64_t durable_out) {
  next_in_ = next_in;
  next_out_ = next_out;
  durable_out_ = durable_out;
}

void SessionStore::note_seqs(std::uint64_t next_in, std::uint64_t next_out) {
  if (next_in != 0) next_in_ = next_in;
  if (next_out != 0) next_out_ = next_out;
}

void SessionStore::committed(std::uint64_t epoch, std::uint64_t out_seq) {
  if (epoch != epoch_ || out_seq <= durable_out_) return;
  durable_out_ = out_seq;
  if (on_durable_) on_durable_(out_seq);
}

}  // namespace irra::trading
