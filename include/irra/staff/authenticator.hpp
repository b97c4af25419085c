// Staff login checks off the reactor: one worker thread with its own database connection
// runs the Argon2id verification (about a tenth of a second and 64 MiB each) and the TOTP
// step bookkeeping, and posts each answer to the caller's executor.
//
// Every wrong part (unknown user, disabled account, wrong password, wrong or reused code)
// is Outcome::wrong; `message` says which for the logs and the audit, never the client.
// Unknown users and disabled accounts still pay one Argon2id verification, so timing does
// not tell them apart. Passwords and TOTP codes are never logged.
//
// Thread rule: check(), accounts() and stop() may be called from any thread. Completions
// run on the executor given with each call. The connection belongs to the worker.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "irra/staff/accounts.hpp"
#include "irra/staff/role.hpp"
#include "irra/store/database.hpp"

namespace soci {
class session;
}

namespace irra::staff {

struct LoginCheck {
  // error: the check could not be made (database down, queue full: message "busy").
  enum class Outcome { ok, wrong, error };
  Outcome outcome = Outcome::wrong;
  std::string user;  // ok: the account's stored name
  Role role = Role::viewer;
  std::string message;  // why, for logs and audit ("wrong password", "reused code", ...)
};

class Authenticator {
 public:
  static constexpr std::size_t max_pending_checks = 64;
  static constexpr std::size_t max_pending_reads = 8;

  // Starts the thread. `url` names the (already migrated) database; the worker connects
  // when it first needs to and again after a failure.
  explicit Authenticator(store::DbUrl url);
  ~Authenticator();  // stop()
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // On the worker: finds the account (unknown: verifies against dummy_hash(), wrong),
  // disabled: wrong; verifies the password, then the TOTP code (totp_match) and takes its
  // step (accounts::consume_totp_step). Posts done(result) to `ex`. With max_pending_checks
  // checks already waiting, posts Outcome::error "busy" at once.
  void check(std::string user, std::string password, std::string totp, std::int64_t unix_time,
             boost::asio::any_io_executor ex, std::function<void(LoginCheck)> done);

  // Reads every account (for the session sync); posts done(list) to `ex`. On a database
  // error, or with max_pending_reads reads already waiting, posts nothing and logs.
  void accounts(boost::asio::any_io_executor ex, std::function<void(std::vector<Account>)> done);

  // Joins the worker; jobs still waiting are dropped (their completions never run), and
  // later check()/accounts() calls post nothing. Idempotent.
  void stop();

 private:
  struct Job {
    bool is_check = true;
    std::string user, password, totp;
    std::int64_t unix_time = 0;
    boost::asio::any_io_executor ex;
    std::function<void(LoginCheck)> check_done;
    std::function<void(std::vector<Account>)> accounts_done;
  };

  void run();
  LoginCheck run_check(Job& job);
  soci::session& db();  // connects when needed; throws on failure

  store::DbUrl url_;
  std::unique_ptr<soci::session> sql_;  // worker thread only

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;            // guarded by mutex_
  std::size_t pending_checks_ = 0;  // guarded by mutex_
  std::size_t pending_reads_ = 0;   // guarded by mutex_
  bool stopping_ = false;           // guarded by mutex_
  bool full_warned_ = false;        // guarded by mutex_
  std::thread thread_;
};

}  // namespace irra::staff
