// libFuzzer target for the dump's CSV reader: any bytes must give records or a clean
// error, never a crash, a read past the input or unbounded growth; and the result must not
// depend on how the input is split into read chunks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "irra/sod/csv_reader.hpp"

namespace {

struct Outcome {
  std::vector<std::vector<std::string>> records;
  std::vector<std::uint64_t> lines;
  irra::sod::CsvReader::Status status;
  std::string error;
  std::uint64_t error_line;
  std::string sha;
};

Outcome parse(std::string_view bytes, std::size_t chunk) {
  irra::sod::CsvLimits limits;
  limits.max_field_bytes = 64;
  limits.max_record_bytes = 256;
  limits.max_fields = 8;
  limits.chunk_bytes = chunk;
  irra::sod::CsvReader reader(irra::sod::ByteSource::from_memory(bytes), limits);
  Outcome out;
  while ((out.status = reader.next()) == irra::sod::CsvReader::Status::record) {
    if (reader.fields().size() > limits.max_fields) std::abort();
    std::size_t total = 0;
    for (const auto f : reader.fields()) total += f.size();
    if (total > limits.max_record_bytes) std::abort();
    out.records.emplace_back(reader.fields().begin(), reader.fields().end());
    out.lines.push_back(reader.line());
  }
  out.error = reader.error();
  out.error_line = reader.error_line();
  out.sha = reader.finish_sha256();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const Outcome big = parse(bytes, 1 << 16);
  const Outcome small = parse(bytes, 5);
  if (big.records != small.records || big.lines != small.lines || big.status != small.status ||
      big.error != small.error || big.error_line != small.error_line || big.sha != small.sha) {
    std::abort();
  }
  return 0;
}
