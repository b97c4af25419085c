// Staff accounts in the database (table staff_users, migration 4). Managed on the host with
// `irra staff`; the server only reads them and consumes TOTP steps.
//
// These functions run plain statements on the caller's session and open no transaction of
// their own: `irra staff` wraps each change with its audit record in one transaction
// (store::AuditChain::append_committed).
//
// Thread rule: a soci::session belongs to one thread at a time (store/database.hpp); the
// functions keep no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "irra/staff/role.hpp"

namespace soci {
class session;
}

namespace irra::staff {

struct Account {
  std::string user;
  Role role = Role::viewer;
  std::string password_hash, totp_secret;
  std::int64_t last_totp_step = 0;
  bool disabled = false;
  std::string created_at, updated_at;  // ISO-8601 UTC, "2024-12-02T09:15:00.123456Z"
};

// 1 to 64 characters of [A-Za-z0-9._-].
bool valid_user_name(std::string_view user);

namespace accounts {

std::optional<Account> find(soci::session& sql, std::string_view user);
// Every account, by user name.
std::vector<Account> list(soci::session& sql);
// Inserts `account` (created_at/updated_at filled with the time now when empty). Throws
// std::runtime_error("... already exists") for a taken name, std::invalid_argument for an
// invalid one.
void add(soci::session& sql, const Account& account);
// New password hash and TOTP secret (and role, when given); re-enables the account, sets
// last_totp_step to 0 and updated_at to now (which ends its sessions on the server).
// Throws std::runtime_error when there is no such account.
void reset(soci::session& sql, std::string_view user, std::string_view password_hash,
           std::string_view totp_secret, std::optional<Role> role);
// Disables the account and sets updated_at to now. Throws std::runtime_error when there is
// no such account.
void disable(soci::session& sql, std::string_view user);
// Records `step` as the account's last accepted TOTP step, atomically and only when it is
// later than the one stored: true when this call took it (so two processes cannot both
// accept one code).
bool consume_totp_step(soci::session& sql, std::string_view user, std::int64_t step);

// The message of the exception thrown by reset()/disable() for an unknown user.
std::string no_such_user(std::string_view user);

}  // namespace accounts
}  // namespace irra::staff
