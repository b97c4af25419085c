#include "key_index.hpp"

#include <bit>
#include <functional>

namespace irra::sod {
namespace {

constexpr std::size_t kMinSlots = 64;

std::size_t slots_for(std::size_t expected) {
  return std::bit_ceil(std::max(kMinSlots, expected * 2));
}

// Fibonacci hashing spreads packed row numbers (which differ in few bits) over the table.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 31;
  x *= 0x9E3779B97F4A7C15ULL;
  return x ^ (x >> 29);
}

}  // namespace

IntKeyIndex::IntKeyIndex(std::size_t expected) : slots_(slots_for(expected)) {}

bool IntKeyIndex::insert(std::uint64_t key, std::uint64_t line, std::uint64_t& first_line) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.key_plus_one == 0) {
      s.key_plus_one = key + 1;
      s.line = line;
      ++size_;
      return true;
    }
    if (s.key_plus_one == key + 1) {
      first_line = s.line;
      return false;
    }
  }
}

void IntKeyIndex::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.key_plus_one == 0) continue;
    std::size_t i = mix(s.key_plus_one - 1) & mask;
    while (slots_[i].key_plus_one != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

TextKeyIndex::TextKeyIndex(std::size_t expected) : slots_(slots_for(expected)) {}

std::size_t TextKeyIndex::probe(std::string_view key, std::uint64_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (!s.used) return i;
    if (s.hash == hash && s.length == key.size() &&
        std::string_view(arena_).substr(s.offset, s.length) == key) {
      return i;
    }
  }
}

bool TextKeyIndex::insert(std::string_view key, KeySeen seen, KeySeen& first) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const std::uint64_t hash = mix(std::hash<std::string_view>{}(key));
  Slot& s = slots_[probe(key, hash)];
  if (s.used) {
    first = s.seen;
    return false;
  }
  s = Slot{hash, arena_.size(), static_cast<std::uint32_t>(key.size()), true, seen};
  arena_.append(key);
  ++size_;
  return true;
}

const KeySeen* TextKeyIndex::find(std::string_view key) const {
  const Slot& s = slots_[probe(key, mix(std::hash<std::string_view>{}(key)))];
  return s.used ? &s.seen : nullptr;
}

void TextKeyIndex::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (!s.used) continue;
    std::size_t i = s.hash & mask;
    while (slots_[i].used) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace irra::sod
