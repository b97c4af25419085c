#pragma once
// Where a session keeps the application messages it has sent, so that it can answer the
// counterparty's ResendRequest. The caller implements it (durably, in IRRA's database);
// memory_message_store is the in-memory version for tests and the exchange simulator.
// Admin messages are never stored: a session gap-fills over them. A store may also
// decline to return a message (e.g. an order too old to be worth re-sending): the
// session then gap-fills over it too. Called only from the session's own thread.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace irra::fix {

struct stored_message {
  std::uint64_t seq = 0;
  std::string raw;  // the complete message as first sent
};

class message_store {
 public:
  virtual ~message_store() = default;
  // An application message just sent with MsgSeqNum `seq`.
  virtual void save(std::uint64_t seq, std::string_view raw) = 0;
  // Appends to `out`, in increasing seq order, the stored messages with begin <= seq <= end.
  virtual void load(std::uint64_t begin, std::uint64_t end, std::vector<stored_message>& out) = 0;
  // A new exchange day: sequence numbers restart at 1, yesterday's messages go.
  virtual void reset() = 0;
};

class memory_message_store final : public message_store {
 public:
  void save(std::uint64_t seq, std::string_view raw) override;
  void load(std::uint64_t begin, std::uint64_t end, std::vector<stored_message>& out) override;
  void reset() override { messages_.clear(); }
  std::size_t size() const { return messages_.size(); }

 private:
  std::map<std::uint64_t, std::string> messages_;
};

}  // namespace irra::fix
