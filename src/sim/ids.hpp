// Identifiers the exchange hands out, "E123" (ExecID), "O45" (OrderID), "M45" (ClOrdID
// of a main-site order), formatted without allocating.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace irra::sim {

class id_text {
 public:
  id_text(char prefix, std::uint64_t n) {
    buf_[0] = prefix;
    const auto r = std::to_chars(buf_ + 1, buf_ + sizeof buf_, n);
    size_ = static_cast<std::size_t>(r.ptr - buf_);
  }
  std::string_view view() const { return {buf_, size_}; }

 private:
  char buf_[24];
  std::size_t size_ = 0;
};

// "O45" with prefix 'O' -> 45; nullopt for anything else.
inline std::optional<std::uint64_t> parse_id(std::string_view text, char prefix) {
  if (text.size() < 2 || text[0] != prefix) return std::nullopt;
  std::uint64_t n = 0;
  const auto r = std::from_chars(text.data() + 1, text.data() + text.size(), n);
  if (r.ec != std::errc{} || r.ptr != text.data() + text.size() || n == 0) return std::nullopt;
  return n;
}

}  // namespace irra::sim
