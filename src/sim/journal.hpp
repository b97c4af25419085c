// The simulator's own record of every application message it sent and received, one
// JSON object per line (docs/simulator.md lists the fields), so that tests and chaos
// checks can compare IRRA's mirror with what the exchange really said. Buffered; flushed
// by the simulator's timer and on stop. Thread rule: the simulator's single thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "irra/fix/message.hpp"
#include "irra/fix/messages.hpp"
#include "session_kind.hpp"

namespace irra::sim {

class journal {
 public:
  // Throws std::runtime_error when the file cannot be opened (a configuration error).
  explicit journal(const std::filesystem::path& file);
  ~journal();
  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

  // origin: "irra" or "main"; kind: "original", "poss_dup" or "poss_resend".
  void sent_report(session_kind k, std::uint64_t seq, const fix::execution_report& r,
                   std::string_view origin, std::string_view kind);
  void sent_cancel_reject(session_kind k, std::uint64_t seq, const fix::order_cancel_reject& r);
  void sent_market_data(session_kind k, std::uint64_t seq, std::string_view msg_type,
                        std::string_view md_req_id, std::string_view instrument, std::int64_t price,
                        std::string_view text);
  // Every field of a received application message; `note` e.g. "duplicate_cl_ord_id".
  void received(session_kind k, std::uint64_t seq, const fix::message& m, std::string_view note);

  void flush();

 private:
  void string_field(std::string_view key, std::string_view value);
  void int_field(std::string_view key, std::int64_t value);
  void begin_line(std::string_view dir, session_kind k, std::uint64_t seq, std::string_view type);
  void end_line();

  std::FILE* file_ = nullptr;
  std::string buf_;
};

}  // namespace irra::sim
