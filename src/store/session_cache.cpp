#include "irra/store/session_cache.hpp"

namespace irra::store {
namespace {

thread_local SessionCache* bound_cache = nullptr;
thread_local const soci::session* bound_session = nullptr;

}  // namespace

SessionCache::Entry* SessionCache::find(std::string_view key) const {
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second.get();
}

SessionCache::Entry& SessionCache::put(std::string_view key, std::unique_ptr<Entry> entry) {
  auto& slot = entries_[std::string(key)];
  slot = std::move(entry);
  return *slot;
}

void SessionCache::clear() {
  // One by one, so an entry's destructor never sees a half-destroyed map.
  while (!entries_.empty()) entries_.erase(entries_.begin());
}

SessionCache::Bind::Bind(SessionCache& cache, const soci::session& sql)
    : prev_cache_(bound_cache), prev_session_(bound_session) {
  bound_cache = &cache;
  bound_session = &sql;
}

SessionCache::Bind::~Bind() {
  bound_cache = prev_cache_;
  bound_session = prev_session_;
}

SessionCache* session_cache(const soci::session& sql) {
  return bound_session == &sql ? bound_cache : nullptr;
}

}  // namespace irra::store
