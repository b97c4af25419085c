// The outbox rows: building events and inserting them in multi-row statements.
#include "irra/notify/outbox.hpp"

#include <mysql.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sodium.h>

#include <array>
#include <chrono>
#include <stdexcept>

#include "irra/domain/timestamp.hpp"
#include "irra/notify/notifier.hpp"
#include "irra/store/database.hpp"
#include "irra/store/mysql_text.hpp"

namespace irra::notify {
namespace {

constexpr std::string_view columns =
    "INSERT INTO outbox (event_id, queue, body, created_at) VALUES ";
// 4 values a row: 1,000 bound values per SQLite statement, far under its limit of 32,766.
constexpr std::size_t sqlite_rows_per_statement = 250;
// MySQL text statements stay well under max_allowed_packet (16 MiB by default).
constexpr std::size_t mysql_rows_per_statement = 2000;
constexpr std::size_t mysql_bytes_per_statement = 1 << 20;

std::string now_iso() {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return domain::format_iso8601(us);
}

// ---- SQLite: one prepared statement of `rows` tuples, values bound in place.
namespace sq = ::sqlite_api;

class SqliteInsert {
 public:
  SqliteInsert(sq::sqlite3* db, std::size_t rows) : db_(db), rows_(rows) {
    std::string q(columns);
    for (std::size_t i = 0; i < rows; ++i) q += i == 0 ? "(?,?,?,?)" : ",(?,?,?,?)";
    q += " ON CONFLICT DO NOTHING";
    if (sq::sqlite3_prepare_v2(db, q.c_str(), static_cast<int>(q.size()), &st_, nullptr) !=
        SQLITE_OK) {
      throw soci::soci_error(std::string("outbox insert: ") + sq::sqlite3_errmsg(db));
    }
  }
  ~SqliteInsert() { sq::sqlite3_finalize(st_); }
  SqliteInsert(const SqliteInsert&) = delete;
  SqliteInsert& operator=(const SqliteInsert&) = delete;

  void run(const OutboxEvent* events, const std::string& created_at) {
    int at = 1;
    for (std::size_t r = 0; r < rows_; ++r) {
      const OutboxEvent& e = events[r];
      for (const std::string* s : {&e.event_id, &e.queue, &e.body, &created_at}) {
        // SQLITE_STATIC: the strings outlive the step below.
        if (sq::sqlite3_bind_text(st_, at++, s->c_str(), static_cast<int>(s->size()),
                                  SQLITE_STATIC) != SQLITE_OK) {
          fail();
        }
      }
    }
    if (sq::sqlite3_step(st_) != SQLITE_DONE) fail();
    sq::sqlite3_reset(st_);
    sq::sqlite3_clear_bindings(st_);
  }

 private:
  [[noreturn]] void fail() {
    const std::string msg = sq::sqlite3_errmsg(db_);
    sq::sqlite3_reset(st_);  // never left running: it would hold a lock
    throw soci::soci_error("outbox insert: " + msg);
  }
  sq::sqlite3* db_;
  std::size_t rows_;
  sq::sqlite3_stmt* st_ = nullptr;
};

void insert_sqlite(soci::session& sql, const std::vector<OutboxEvent>& events,
                   const std::string& created_at) {
  auto* db = static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
  std::size_t i = 0;
  if (events.size() >= sqlite_rows_per_statement) {
    SqliteInsert many(db, sqlite_rows_per_statement);
    for (; events.size() - i >= sqlite_rows_per_statement; i += sqlite_rows_per_statement) {
      many.run(events.data() + i, created_at);
    }
  }
  if (i < events.size()) SqliteInsert(db, events.size() - i).run(events.data() + i, created_at);
}

// ---- MySQL: multi-row INSERT text, values escaped by the client library.
void insert_mysql(soci::session& sql, const std::vector<OutboxEvent>& events,
                  const std::string& created_at) {
  MYSQL* conn = static_cast<soci::mysql_session_backend*>(sql.get_backend())->conn_;
  constexpr std::string_view tail = " ON DUPLICATE KEY UPDATE event_id = event_id";
  std::string q, scratch, when;
  store::mysql_append_quoted(conn, when, created_at, scratch);
  std::size_t rows = 0;
  for (const OutboxEvent& e : events) {
    q += rows == 0 ? std::string(columns) : std::string(",");
    q += '(';
    store::mysql_append_quoted(conn, q, e.event_id, scratch);
    q += ',';
    store::mysql_append_quoted(conn, q, e.queue, scratch);
    q += ',';
    store::mysql_append_quoted(conn, q, e.body, scratch);
    q += ',';
    q += when;
    q += ')';
    if (++rows == mysql_rows_per_statement || q.size() >= mysql_bytes_per_statement) {
      store::mysql_execute(conn, q.append(tail), "outbox insert");
      q.clear();
      rows = 0;
    }
  }
  if (rows > 0) store::mysql_execute(conn, q.append(tail), "outbox insert");
}

}  // namespace

OutboxEvent make_event(std::string_view queue, nlohmann::json message) {
  if (queue.empty()) throw std::invalid_argument("an event needs a queue name");
  if (!message.is_object()) throw std::invalid_argument("an event must be a JSON object");
  if (!message.contains("event_id")) message["event_id"] = new_event_id();
  const auto& id = message["event_id"];
  if (!id.is_string() || id.get_ref<const std::string&>().empty() ||
      id.get_ref<const std::string&>().size() > max_event_id_size) {
    throw std::invalid_argument("event_id must be a string of 1 to 64 characters");
  }
  OutboxEvent e;
  e.event_id = id.get<std::string>();
  e.queue = std::string(queue);
  // Invalid UTF-8 in a field must not lose the whole message.
  e.body = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return e;
}

void insert_events(soci::session& sql, const std::vector<OutboxEvent>& events) {
  if (events.empty()) return;
  const std::string created_at = now_iso();
  if (store::backend_of(sql) == store::Backend::mysql) {
    insert_mysql(sql, events, created_at);
  } else {
    insert_sqlite(sql, events, created_at);
  }
}

std::string derived_event_id(std::string_view kind, std::initializer_list<std::string_view> parts) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  const auto add = [&st](std::string_view s) {
    // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    const std::uint64_t n = s.size();
    std::array<unsigned char, 8> len{};
    for (std::size_t i = 0; i < len.size(); ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
    crypto_hash_sha256_update(&st, len.data(), len.size());
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  add(kind);
  for (const auto p : parts) add(p);
  std::array<unsigned char, crypto_hash_sha256_BYTES> h{};
  crypto_hash_sha256_final(&st, h.data());
  h[6] = static_cast<unsigned char>((h[6] & 0x0f) | 0x80);  // version 8 (RFC 9562)
  h[8] = static_cast<unsigned char>((h[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string id;
  id.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    id += hex[h[i] >> 4];
    id += hex[h[i] & 0x0f];
  }
  return id;
}

}  // namespace irra::notify
