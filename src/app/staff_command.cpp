// `irra staff add|disable|list|reset`: staff accounts of the admin terminal, managed on the
// host (docs/admin-api.md). Each change is written with its audit record in one
// transaction, so the running server sees both or neither.
#include <soci/soci.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli.hpp"
#include "irra/config/config.hpp"
#include "irra/staff/accounts.hpp"
#include "irra/staff/password.hpp"
#include "irra/staff/role.hpp"
#include "irra/staff/totp.hpp"
#include "irra/store/audit.hpp"
#include "irra/store/database.hpp"

namespace po = boost::program_options;

namespace irra::app {
namespace {

std::string host_actor() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? std::string("host:") + user : std::string("host");
}

store::AuditEvent account_event(std::string_view action, const std::string& user,
                                staff::Role role) {
  store::AuditEvent e;
  e.type = "staff.account";
  e.actor = host_actor();
  e.detail =
      nlohmann::json{{"action", action}, {"user", user}, {"role", staff::to_string(role)}}.dump();
  return e;
}

// One line from standard input, without its line end; at least min_password_length.
std::string read_password() {
  std::string line;
  if (!std::getline(std::cin, line)) throw UsageError("staff: --password-stdin: no line on stdin");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() < staff::min_password_length) {
    throw UsageError("staff: --password-stdin: the password needs at least " +
                     std::to_string(staff::min_password_length) + " characters");
  }
  return line;
}

void print_credentials(const std::string& user, staff::Role role, const std::string* password,
                       const std::string& secret, bool qr) {
  const auto uri = staff::provisioning_uri(user, secret);
  std::cout << "user: " << user << "\nrole: " << staff::to_string(role) << "\n";
  if (password != nullptr) std::cout << "password: " << *password << "\n";
  std::cout << "totp_secret: " << secret << "\nprovisioning_uri: " << uri << "\n";
  if (qr) std::cout << "\n" << staff::qr_terminal(uri);
  std::cout.flush();
  if (password != nullptr) {
    std::cerr << "irra: staff: the password is shown only this once; hand it over safely\n";
  }
}

nlohmann::json list_entry(const staff::Account& a) {
  return {{"user", a.user},
          {"role", staff::to_string(a.role)},
          {"disabled", a.disabled},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at}};
}

}  // namespace

int run_staff(const Args& args) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")(
      "config", po::value<std::string>()->default_value(""),
      "configuration file (JSON); built-in defaults when omitted")(
      "user", po::value<std::string>(), "the staff user name (1-64 of A-Z a-z 0-9 . _ -)")(
      "role", po::value<std::string>(),
      "add/reset: viewer, dealer, supervisor or admin (add: viewer when omitted; reset: kept)")(
      "password-stdin", po::bool_switch(),
      "add/reset: read the password (one line, at least 12 characters) from standard input "
      "instead of generating one")(
      "qr", po::bool_switch(), "add/reset: print the QR code even when stdout is not a terminal");
  po::options_description all;
  all.add(opts).add_options()("action", po::value<std::string>());
  po::positional_options_description pos;
  pos.add("action", 1);

  const bool help = wants_help(args);
  if (help || args.empty()) {
    print_help(
        "irra staff add --user NAME [--role ROLE] [--password-stdin] [--qr] --config FILE\n"
        "       irra staff reset --user NAME [--role ROLE] [--password-stdin] [--qr] "
        "--config FILE\n"
        "       irra staff disable --user NAME --config FILE\n"
        "       irra staff list --config FILE",
        "Staff accounts of the admin terminal.\n"
        "add: creates an account with a generated password (printed once) and a new\n"
        "TOTP secret, shown as an otpauth:// URI and, on a terminal, a QR code.\n"
        "reset: a new password and TOTP secret (and role, when given); re-enables the\n"
        "account and ends its sessions on the running server.\n"
        "disable: the account can no longer log in; its sessions end within seconds.\n"
        "list: one JSON object per account {user, role, disabled, created_at,\n"
        "updated_at}.\n"
        "Roles, each including the one before: viewer, dealer, supervisor, admin.",
        opts);
    if (help) return exit_ok;
    throw UsageError("staff: missing action: add, disable, list or reset");
  }
  const auto vm = parse_args("staff", args, all, &pos);
  const auto action = vm.count("action") ? vm["action"].as<std::string>() : "";
  if (action != "add" && action != "disable" && action != "list" && action != "reset") {
    throw UsageError("staff: unknown action '" + action + "': add, disable, list or reset");
  }
  const bool creates = action == "add" || action == "reset";
  if (!creates && (vm.count("role") || vm["password-stdin"].as<bool>() || vm["qr"].as<bool>())) {
    throw UsageError("staff " + action +
                     ": --role, --password-stdin and --qr go with add or reset only");
  }
  std::string user;
  if (action == "list") {
    if (vm.count("user")) throw UsageError("staff list: takes no --user");
  } else {
    if (!vm.count("user")) throw UsageError("staff " + action + ": --user NAME is required");
    user = vm["user"].as<std::string>();
    if (!staff::valid_user_name(user)) {
      throw UsageError("staff " + action + ": invalid user name '" + user +
                       "' (1-64 characters of A-Z a-z 0-9 . _ -)");
    }
  }
  std::optional<staff::Role> role;
  if (vm.count("role")) {
    role = staff::parse_role(vm["role"].as<std::string>());
    if (!role) {
      throw UsageError("staff " + action + ": unknown role '" + vm["role"].as<std::string>() +
                       "': viewer, dealer, supervisor or admin");
    }
  }

  // Everything that can be refused is checked before the password is read or hashed.
  const auto& config_path = vm["config"].as<std::string>();
  const auto cfg = config_path.empty() ? config::load_string("{}", "built-in defaults")
                                       : config::load_file(config_path);
  std::optional<std::string> password;
  if (creates && vm["password-stdin"].as<bool>()) password = read_password();
  auto sql = store::open(store::DbUrl::parse(cfg.database.url));

  if (action == "list") {
    for (const auto& a : staff::accounts::list(*sql)) std::cout << list_entry(a).dump() << "\n";
    return exit_ok;
  }

  if (action == "disable") {
    auto current = staff::accounts::find(*sql, user);
    if (!current) throw std::runtime_error(staff::accounts::no_such_user(user));
    store::AuditChain::append_committed(
        *sql, account_event("disable", current->user, current->role),
        [&](soci::session& s) { staff::accounts::disable(s, current->user); });
    std::cout << "disabled: " << current->user << "\n";
    return exit_ok;
  }

  // add / reset: checked before the slow hash, and again inside the transaction.
  auto current = staff::accounts::find(*sql, user);
  if (action == "add" && current) {
    throw std::runtime_error("staff user '" + current->user + "' already exists");
  }
  if (action == "reset" && !current) throw std::runtime_error(staff::accounts::no_such_user(user));
  const bool generated = !password;
  if (generated) password = staff::generate_password();
  const auto secret = staff::new_totp_secret();
  const auto hash = staff::hash_password(*password);
  const bool qr = vm["qr"].as<bool>() || ::isatty(STDOUT_FILENO) == 1;

  if (action == "add") {
    staff::Account account;
    account.user = user;
    account.role = role.value_or(staff::Role::viewer);
    account.password_hash = hash;
    account.totp_secret = secret;
    store::AuditChain::append_committed(
        *sql, account_event("add", user, account.role),
        [&](soci::session& s) { staff::accounts::add(s, account); });
    print_credentials(user, account.role, generated ? &*password : nullptr, secret, qr);
    return exit_ok;
  }

  user = current->user;
  const auto new_role = role.value_or(current->role);
  store::AuditChain::append_committed(
      *sql, account_event("reset", user, new_role),
      [&](soci::session& s) { staff::accounts::reset(s, user, hash, secret, new_role); });
  print_credentials(user, new_role, generated ? &*password : nullptr, secret, qr);
  return exit_ok;
}

}  // namespace irra::app
