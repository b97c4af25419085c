// Per-connection state kept across jobs: prepared statements that cost more to prepare than
// to run (a 32-column multi-row INSERT takes SQLite about a millisecond to compile), so a job
// that runs many times a second on the same session prepares them once.
//
// The owner of a session (store::Writer) owns its SessionCache and clears it before it
// closes or replaces the session, so no cached statement outlives its connection (SQLite
// refuses to close a connection with unfinalized statements). A job finds the cache through
// session_cache(sql), which answers only while the owner has bound the cache to that very
// session on the calling thread (SessionCache::Bind); everywhere else it answers nullptr and
// the job prepares what it needs for the one call.
//
// Thread rule: a cache, its entries and its binding belong to the one thread that uses the
// session.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace soci {
class session;
}

namespace irra::store {

class SessionCache {
 public:
  // What a job keeps; destroyed (finalizing its statements) by clear() or the cache's end.
  struct Entry {
    virtual ~Entry() = default;
  };

  SessionCache() = default;
  ~SessionCache() { clear(); }
  SessionCache(const SessionCache&) = delete;
  SessionCache& operator=(const SessionCache&) = delete;

  // The entry stored under `key`, or nullptr.
  Entry* find(std::string_view key) const;
  // Stores `entry` under `key` (replacing any) and returns it.
  Entry& put(std::string_view key, std::unique_ptr<Entry> entry);
  // Destroys every entry. Call before the session closes.
  void clear();
  std::size_t size() const { return entries_.size(); }

  // Makes session_cache(sql) answer `cache` on this thread while the Bind lives.
  class Bind {
   public:
    Bind(SessionCache& cache, const soci::session& sql);
    ~Bind();
    Bind(const Bind&) = delete;
    Bind& operator=(const Bind&) = delete;

   private:
    SessionCache* prev_cache_;
    const soci::session* prev_session_;
  };

 private:
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries_;
};

// The cache bound to `sql` on this thread, or nullptr.
SessionCache* session_cache(const soci::session& sql);

}  // namespace irra::store
