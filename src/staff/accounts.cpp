#include "irra/staff/accounts.hpp"

#include <soci/soci.h>

#include <stdexcept>

#include "irra/store/audit.hpp"

namespace irra::staff {
namespace {

constexpr const char* columns =
    "user_name, role, password_hash, totp_secret, last_totp_step, disabled, created_at,"
    " updated_at";

struct Row {
  std::string user, role, password_hash, totp_secret, created_at, updated_at;
  long long last_totp_step = 0;
  int disabled = 0;
};

// SELECT of every column into `r`, for the account named `name` or (nullptr) for all.
soci::statement select_rows(soci::session& sql, Row& r, std::string* name) {
  std::string query = std::string("SELECT ") + columns + " FROM staff_users";
  query += name != nullptr ? " WHERE user_name = :u" : " ORDER BY user_name";
  auto prep = (sql.prepare << query, soci::into(r.user), soci::into(r.role),
               soci::into(r.password_hash), soci::into(r.totp_secret), soci::into(r.last_totp_step),
               soci::into(r.disabled), soci::into(r.created_at), soci::into(r.updated_at));
  if (name != nullptr) prep, soci::use(*name, "u");
  return soci::statement(prep);
}

Account to_account(const Row& r) {
  Account a;
  a.user = r.user;
  const auto role = parse_role(r.role);
  a.role = role.value_or(Role::viewer);
  a.password_hash = r.password_hash;
  a.totp_secret = r.totp_secret;
  a.last_totp_step = r.last_totp_step;
  // A role this binary does not know cannot log in (fail closed).
  a.disabled = r.disabled != 0 || !role;
  a.created_at = r.created_at;
  a.updated_at = r.updated_at;
  return a;
}

void require_valid(std::string_view user) {
  if (!valid_user_name(user)) {
    throw std::invalid_argument("invalid user name (1-64 characters of A-Z a-z 0-9 . _ -)");
  }
}

}  // namespace

bool valid_user_name(std::string_view user) {
  if (user.empty() || user.size() > 64) return false;
  for (const char c : user) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace accounts {

std::string no_such_user(std::string_view user) {
  return "no staff user '" + std::string(user) + "'";
}

std::optional<Account> find(soci::session& sql, std::string_view user) {
  if (!valid_user_name(user)) return std::nullopt;
  std::string name(user);
  Row r;
  soci::statement st = select_rows(sql, r, &name);
  st.execute();
  if (!st.fetch()) return std::nullopt;
  return to_account(r);
}

std::vector<Account> list(soci::session& sql) {
  std::vector<Account> out;
  Row r;
  soci::statement st = select_rows(sql, r, nullptr);
  st.execute();
  while (st.fetch()) out.push_back(to_account(r));
  return out;
}

void add(soci::session& sql, const Account& account) {
  require_valid(account.user);
  if (find(sql, account.user)) {
    throw std::runtime_error("staff user '" + account.user + "' already exists");
  }
  const auto now = store::AuditChain::now_ts();
  std::string user = account.user, role(to_string(account.role)), hash = account.password_hash,
              secret = account.totp_secret,
              created = account.created_at.empty() ? now : account.created_at,
              updated = account.updated_at.empty() ? now : account.updated_at;
  long long step = account.last_totp_step;
  int disabled = account.disabled ? 1 : 0;
  sql << "INSERT INTO staff_users (user_name, role, password_hash, totp_secret,"
         " last_totp_step, disabled, created_at, updated_at)"
         " VALUES (:u, :r, :h, :t, :s, :d, :c, :m)",
      soci::use(user, "u"), soci::use(role, "r"), soci::use(hash, "h"), soci::use(secret, "t"),
      soci::use(step, "s"), soci::use(disabled, "d"), soci::use(created, "c"),
      soci::use(updated, "m");
}

void reset(soci::session& sql, std::string_view user, std::string_view password_hash,
           std::string_view totp_secret, std::optional<Role> role) {
  const auto current = find(sql, user);
  if (!current) throw std::runtime_error(no_such_user(user));
  std::string name = current->user, hash(password_hash), secret(totp_secret),
              role_text(to_string(role.value_or(current->role))),
              updated = store::AuditChain::now_ts();
  sql << "UPDATE staff_users SET password_hash = :h, totp_secret = :t, role = :r,"
         " last_totp_step = 0, disabled = 0, updated_at = :m WHERE user_name = :u",
      soci::use(hash, "h"), soci::use(secret, "t"), soci::use(role_text, "r"),
      soci::use(updated, "m"), soci::use(name, "u");
}

void disable(soci::session& sql, std::string_view user) {
  const auto current = find(sql, user);
  if (!current) throw std::runtime_error(no_such_user(user));
  std::string name = current->user, updated = store::AuditChain::now_ts();
  sql << "UPDATE staff_users SET disabled = 1, updated_at = :m WHERE user_name = :u",
      soci::use(updated, "m"), soci::use(name, "u");
}

bool consume_totp_step(soci::session& sql, std::string_view user, std::int64_t step) {
  if (!valid_user_name(user)) return false;
  std::string name(user);
  long long set_to = step, below = step;
  soci::statement st = (sql.prepare << "UPDATE staff_users SET last_totp_step = :s"
                                       " WHERE user_name = :u AND last_totp_step < :b",
                        soci::use(set_to, "s"), soci::use(name, "u"), soci::use(below, "b"));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

}  // namespace accounts
}  // namespace irra::staff
