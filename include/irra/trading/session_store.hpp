// One FIX session's durable state for the current trading date: the next sequence numbers
// (table fix_sessions) and the application messages sent (fix_outbound), so that sequence
// numbers survive kill -9, a ResendRequest is answered with the exact bytes first sent, and
// a new trading date starts again at 1. Loaded at start-up by Engine::load(); every change
// is saved through the engine's next writer batch.
//
// Durability barrier: save() returns before the message is durable. The transport must hold
// the session's output until durable_out_seq() reaches the message's seq; on_durable() says
// when it moves.
//
// Thread rule: owned by the Engine; every call on the engine's strand (the FIX sessions run
// on that strand).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "irra/fix/message_store.hpp"

namespace irra::trading {

class Engine;

class SessionStore final : public fix::message_store {
 public:
  SessionStore(Engine& engine, std::string name);

  const std::string& name() const { return name_; }

  // What to restore() the fix::session_state with: 1 and 1 on a new trading date.
  std::uint64_t next_in_seq() const { return next_in_; }
  std::uint64_t next_out_seq() const { return next_out_; }

  // fix::message_store
  void save(std::uint64_t seq, std::string_view raw) override;
  void load(std::uint64_t begin, std::uint64_t end, std::vector<fix::stored_message>& out) override;
  void reset() override;

  // The highest outbound seq whose message (and next_out_seq) is committed; 0 for none.
  std::uint64_t durable_out_seq() const { return durable_out_; }
  // Called (on the strand) each time durable_out_seq() moves forward.
  void on_durable(std::function<void(std::uint64_t seq)> callback) {
    on_durable_ = std::move(callback);
  }

  // The sent messages kept for resends (ClOrdID look-ups at start-up use them too).
  const std::map<std::uint64_t, std::string>& sent() const { return sent_; }

 private:
  friend class Engine;
  // From Engine: the loaded state, the seq numbers the session reports, commits.
  void restore(std::uint64_t next_in, std::uint64_t next_out, std::uint64_t durable_out);
  void note_seqs(std::uint64_t next_in, std::uint64_t next_out);
  void committed(std::uint64_t epoch, std::uint64_t out_seq);
  std::uint64_t epoch() const { return epoch_; }

  Engine& engine_;
  std::string name_;
  std::uint64_t next_in_ = 1;
  std::uint64_t next_out_ = 1;
  std::uint64_t durable_out_ = 0;
  std::uint64_t epoch_ = 0;  // bumped by reset(): commits of older batches no longer count
  std::map<std::uint64_t, std::string> sent_;
  std::function<void(std::uint64_t)> on_durable_;
};

}  // namespace irra::trading
