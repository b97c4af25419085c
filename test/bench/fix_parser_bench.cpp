// Micro-benchmarks of the FIX codec: framing (with CheckSum), framing + field parsing +
// ExecutionReport decoding (the drop-copy ingest path; target 2,000,000 messages/s on one
// core), and writing a NewOrderSingle.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "irra/fix/message.hpp"
#include "irra/fix/messages.hpp"
#include "irra/fix/parser.hpp"
#include "irra/fix/writer.hpp"

namespace {

using namespace irra::fix;

const utc_timestamp t0{std::chrono::sys_days{std::chrono::year{2024} / 3 / 15} +
                       std::chrono::hours{9}};

// A drop-copy trade report as the exchange sends it, a few of them back to back.
std::string trade_reports(int count) {
  std::string out;
  writer w(out);
  for (int i = 0; i < count; ++i) {
    w.begin(msg_type::execution_report, "EXCH-DC", "IRRA", 1000 + static_cast<unsigned>(i), t0);
    w.field(tag::exec_id, "EX-20240315-" + std::to_string(100000 + i))
        .field(tag::order_id, "NSE-1100000" + std::to_string(i))
        .field(tag::cl_ord_id, "MAIN-55501" + std::to_string(i))
        .field(tag::account, "UCC00123")
        .field(tag::symbol, "RELIANCE")
        .field(tag::security_exchange, "NSE")
        .field(tag::product, "MIS")
        .field_char(tag::side, '1')
        .field_char(tag::exec_type, 'F')
        .field_char(tag::ord_status, '1')
        .field_int(tag::order_qty, 100)
        .field_char(tag::ord_type, '2')
        .field_price(tag::price, 245005)
        .field_int(tag::last_qty, 40)
        .field_price(tag::last_px, 245000)
        .field_int(tag::cum_qty, 40)
        .field_int(tag::leaves_qty, 60)
        .field_price(tag::avg_px, 245000)
        .field_char(tag::time_in_force, '0')
        .field_time(tag::transact_time, t0);
    if (!w.finish()) std::abort();
  }
  return out;
}

void bm_frame(benchmark::State& state) {
  const std::string buf = trade_reports(64);
  std::int64_t messages = 0;
  for (auto _ : state) {
    std::string_view rest = buf;
    while (!rest.empty()) {
      const frame_result f = frame(rest);
      benchmark::DoNotOptimize(f.message.data());
      rest.remove_prefix(f.consumed);
      ++messages;
    }
  }
  state.SetItemsProcessed(messages);
  state.SetBytesProcessed(static_cast<std::int64_t>(buf.size()) * state.iterations());
}
BENCHMARK(bm_frame);

void bm_frame_parse_execution_report(benchmark::State& state) {
  const std::string buf = trade_reports(64);
  message m;
  execution_report er;
  std::int64_t messages = 0;
  for (auto _ : state) {
    std::string_view rest = buf;
    while (!rest.empty()) {
      const frame_result f = frame(rest);
      if (!m.parse(f.message) || !decode(m, er).ok()) std::abort();
      benchmark::DoNotOptimize(er.last_px);
      rest.remove_prefix(f.consumed);
      ++messages;
    }
  }
  state.SetItemsProcessed(messages);
  state.counters["bytes_per_msg"] = static_cast<double>(buf.size()) / 64;
}
BENCHMARK(bm_frame_parse_execution_report);

void bm_write_new_order_single(benchmark::State& state) {
  std::string out;
  out.reserve(4096);
  const new_order_single nos{"IRRA-000123", "UCC00123", "RELIANCE", "NSE", "MIS", '2',
                             100,           '2',        245005,     '0',   t0};
  std::uint64_t seq = 1;
  for (auto _ : state) {
    out.clear();
    writer w(out);
    w.begin(msg_type::new_order_single, "IRRA", "EXCH-OE", seq++, t0);
    if (!encode_body(w, nos) || !w.finish()) std::abort();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_write_new_order_single);

}  // namespace

BENCHMARK_MAIN();
