// Versioned schema migrations, one ordered list shared by SQLite and MySQL.
//
// Thread rule: runs on the caller's session (one thread), normally from open() at start-up.
// Concurrent migrators are serialised (SQLite: BEGIN IMMEDIATE; MySQL: GET_LOCK).
#pragma once

namespace soci {
class session;
}

namespace irra::store {

// Applies every migration newer than the database's version, in order, and records each in
// schema_migrations(version, applied_at). Idempotent: a second call applies nothing.
// On SQLite each migration is one transaction. MySQL commits DDL implicitly, so each step
// is written to be re-runnable (CREATE TABLE IF NOT EXISTS, index created only if absent).
// Returns how many migrations were applied. Throws std::runtime_error (one line) on failure,
// or when the database is newer than this build.
int migrate(soci::session& sql);

// The highest version recorded in schema_migrations, 0 for an empty database.
int current_schema_version(soci::session& sql);

}  // namespace irra::store
