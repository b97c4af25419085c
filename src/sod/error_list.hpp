// Collects validation errors as "file:line: reason" lines, keeping at most `cap` of them
// (a broken 1,000,000-row file must not produce a million-line report).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace irra::sod {

class ErrorList {
 public:
  static constexpr std::size_t kDefaultCap = 1000;

  explicit ErrorList(std::size_t cap = kDefaultCap) : cap_(cap) {}

  void add(std::string_view file, std::uint64_t line, std::string_view reason);
  void add(std::string_view file, std::string_view reason);

  std::size_t count() const { return kept_.size() + dropped_; }
  bool empty() const { return count() == 0; }

  // The kept errors, followed by "... and N more errors" when some were dropped.
  std::vector<std::string> take();

 private:
  bool room();

  std::size_t cap_;
  std::vector<std::string> kept_;
  std::size_t dropped_ = 0;
};

}  // namespace irra::sod
