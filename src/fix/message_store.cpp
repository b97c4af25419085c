#include "irra/fix/message_store.hpp"

namespace irra::fix {

void memory_message_store::save(std::uint64_t seq, std::string_view raw) {
  messages_.insert_or_assign(seq, std::string(raw));
}

void memory_message_store::load(std::uint64_t begin, std::uint64_t end,
                                std::vector<stored_message>& out) {
  for (auto it = messages_.lower_bound(begin); it != messages_.end() && it->first <= end; ++it) {
    out.push_back({it->first, it->second});
  }
}

}  // namespace irra::fix
