// Open-addressing hash tables for the validator's key checks (duplicates and references):
// one flat array each, no allocation per key, so a million positions check in a fraction
// of the time node-based std::unordered_map needs. Not thread-safe; one per reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace irra::sod {

// What a key was first seen with: the row it names and the line it was on.
struct KeySeen {
  std::uint32_t row = 0;
  std::uint64_t line = 0;
};

// Integer keys (packed row numbers) -> line of first appearance.
class IntKeyIndex {
 public:
  explicit IntKeyIndex(std::size_t expected = 0);
  // Inserts the key, or returns false with the line it was first seen on.
  bool insert(std::uint64_t key, std::uint64_t line, std::uint64_t& first_line);

 private:
  struct Slot {
    std::uint64_t key_plus_one = 0;  // 0 = empty
    std::uint64_t line = 0;
  };
  void grow();

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

// Text keys (UCC, PAN, instrument_id) -> row and line; keys are copied into one arena.
class TextKeyIndex {
 public:
  explicit TextKeyIndex(std::size_t expected = 0);
  // Inserts the key, or returns false with what it was first seen with.
  bool insert(std::string_view key, KeySeen seen, KeySeen& first);
  const KeySeen* find(std::string_view key) const;

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t offset = 0;
    std::uint32_t length = 0;
    bool used = false;
    KeySeen seen;
  };
  std::size_t probe(std::string_view key, std::uint64_t hash) const;
  void grow();

  std::vector<Slot> slots_;
  std::string arena_;
  std::size_t size_ = 0;
};

}  // namespace irra::sod
