// libFuzzer target for the FIX codec and the session layer. Input bytes are used two
// ways: as raw received bytes (framing, garbage resync), and wrapped into a valid frame
// so the field parser, the decoders and the session see bodies the fuzzer could never
// reach through a correct CheckSum by chance. Invariants are checked with __builtin_trap.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "irra/fix/message.hpp"
#include "irra/fix/message_store.hpp"
#include "irra/fix/messages.hpp"
#include "irra/fix/parser.hpp"
#include "irra/fix/session_state.hpp"

namespace {

using namespace irra::fix;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct null_handler : session_handler {
  void on_application(const message& m, std::uint64_t) override {
    execution_report er;
    (void)decode(m, er);
  }
};

void decode_all(const message& m) {
  execution_report er;
  order_cancel_reject ocr;
  market_data_snapshot snap;
  market_data_request_reject rej;
  (void)decode(m, er);
  (void)decode(m, ocr);
  (void)decode(m, snap);
  (void)decode(m, rej);
  for (const field& f : m.fields()) {
    if (const auto p = parse_price_paise(f.value)) {
      std::string s;
      append_price(s, *p);
      check(parse_price_paise(s) == p || *p < 0);
    }
    (void)parse_utc_timestamp(f.value);
    (void)parse_int(f.value);
  }
}

std::string wrap(std::string_view body) {
  std::string m =
      "8=FIX.4.4\x01"
      "9=" +
      std::to_string(body.size()) + "\x01";
  m += body;
  const std::uint32_t sum = checksum(m);
  m += "10=";
  m += static_cast<char>('0' + sum / 100);
  m += static_cast<char>('0' + sum / 10 % 10);
  m += static_cast<char>('0' + sum % 10);
  m += '\x01';
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static message m;

  // 1. Framing of raw bytes: every step makes progress and frames only whole messages.
  std::string_view rest = input;
  while (!rest.empty()) {
    const frame_result f = frame(rest);
    if (f.status == frame_status::need_more) break;
    check(f.consumed > 0 && f.consumed <= rest.size());
    if (f.status == frame_status::complete) {
      check(f.message.size() == f.consumed && f.message.size() <= max_message_size);
      m.parse(f.message);
      decode_all(m);
    }
    rest.remove_prefix(f.consumed);
  }

  // 2. The input as a body inside a valid frame.
  if (input.size() < max_message_size - 64) {
    const std::string framed = wrap(input);
    const frame_result f = frame(framed);
    if (f.status == frame_status::complete) {
      m.parse(f.message);
      decode_all(m);
    }
    // 3. A logged-on session receiving it (and the raw input), with time moving on.
    memory_message_store store;
    null_handler handler;
    session_config cfg;
    cfg.sender_comp_id = "IRRA";
    cfg.target_comp_id = "EXCH";
    cfg.max_sending_time_skew = std::chrono::seconds{0};
    session_state s(cfg, store, handler);
    session_time now{};
    s.on_connected(now, false);
    s.on_bytes(wrap("35=A\x01"
                    "49=EXCH\x01"
                    "56=IRRA\x01"
                    "34=1\x01"
                    "52=20240315-09:15:00\x01"
                    "98=0\x01"
                    "108=30\x01"),
               now);
    std::string buffer = framed;
    buffer += input;
    const std::size_t used = s.on_bytes(buffer, now);
    check(used <= buffer.size());
    now.steady += std::chrono::seconds{100};
    s.on_timer(now);
    (void)s.take_output();
  }
  return 0;
}
