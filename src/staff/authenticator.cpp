#include "irra/staff/authenticator.hpp"

#include <soci/soci.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <exception>
#include <limits>

#include "irra/staff/password.hpp"
#include "irra/staff/totp.hpp"

namespace irra::staff {
namespace {

std::string first_line(std::string_view text) {
  return std::string(text.substr(0, text.find('\n')));
}

void post_result(const boost::asio::any_io_executor& ex, std::function<void(LoginCheck)> done,
                 LoginCheck result) {
  boost::asio::post(ex, [done = std::move(done), result = std::move(result)]() mutable {
    done(std::move(result));
  });
}

void wipe(std::string& secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
  secret.clear();
}

}  // namespace

Authenticator::Authenticator(store::DbUrl url) : url_(std::move(url)) {
  (void)dummy_hash();  // computed here, not during the first login
  thread_ = std::thread([this] { run(); });
}

Authenticator::~Authenticator() {
  stop();
}

void Authenticator::check(std::string user, std::string password, std::string totp,
                          std::int64_t unix_time, boost::asio::any_io_executor ex,
                          std::function<void(LoginCheck)> done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && pending_checks_ < max_pending_checks) {
      Job job;
      job.user = std::move(user);
      job.password = std::move(password);
      job.totp = std::move(totp);
      job.unix_time = unix_time;
      job.ex = std::move(ex);
      job.check_done = std::move(done);
      jobs_.push_back(std::move(job));
      ++pending_checks_;
      full_warned_ = false;
      wake_.notify_one();
      return;
    }
    if (stopping_) return;
    // One line per burst, not per refused login.
    if (!full_warned_) {
      full_warned_ = true;
      spdlog::warn("staff login: check queue full ({} waiting), refusing logins",
                   max_pending_checks);
    }
  }
  LoginCheck busy;
  busy.outcome = LoginCheck::Outcome::error;
  busy.user = std::move(user);
  busy.message = "busy";
  post_result(ex, std::move(done), std::move(busy));
}

void Authenticator::accounts(boost::asio::any_io_executor ex,
                             std::function<void(std::vector<Account>)> done) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  if (pending_reads_ >= max_pending_reads) {
    spdlog::warn("staff accounts: {} reads already waiting, skipping one", pending_reads_);
    return;
  }
  Job job;
  job.is_check = false;
  job.ex = std::move(ex);
  job.accounts_done = std::move(done);
  jobs_.push_back(std::move(job));
  ++pending_reads_;
  wake_.notify_one();
}

void Authenticator::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    jobs_.clear();
    pending_checks_ = pending_reads_ = 0;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

soci::session& Authenticator::db() {
  if (!sql_) sql_ = store::connect(url_);
  return *sql_;
}

void Authenticator::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      --(job.is_check ? pending_checks_ : pending_reads_);
    }
    if (job.is_check) {
      LoginCheck result;
      try {
        result = run_check(job);
      } catch (const std::exception& e) {
        result.outcome = LoginCheck::Outcome::error;
        result.message = "internal error";
        spdlog::error("staff login: check failed: {}", first_line(e.what()));
      }
      wipe(job.password);
      wipe(job.totp);
      post_result(job.ex, std::move(job.check_done), std::move(result));
      continue;
    }
    try {
      auto list = accounts::list(db());
      boost::asio::post(job.ex, [done = std::move(job.accounts_done),
                                 list = std::move(list)]() mutable { done(std::move(list)); });
    } catch (const std::exception& e) {
      sql_.reset();  // reconnect next time
      spdlog::warn("staff accounts: reading failed: {}", first_line(e.what()));
    }
  }
}

LoginCheck Authenticator::run_check(Job& job) {
  LoginCheck result;
  result.user = job.user;
  std::optional<Account> account;
  try {
    account = accounts::find(db(), job.user);
  } catch (const std::exception& e) {
    sql_.reset();
    result.outcome = LoginCheck::Outcome::error;
    result.message = "database unavailable";
    spdlog::warn("staff login: reading the account failed: {}", first_line(e.what()));
    return result;
  }
  // One Argon2id verification whatever the account's state, so timing tells nothing.
  const bool password_ok =
      verify_password(account ? account->password_hash : dummy_hash(), job.password);
  if (!account) {
    result.message = "unknown user";
    return result;
  }
  result.user = account->user;
  result.role = account->role;
  if (account->disabled) {
    result.message = "account disabled";
    return result;
  }
  if (!password_ok) {
    result.message = "wrong password";
    return result;
  }
  const auto step =
      totp_match(account->totp_secret, job.totp, job.unix_time, account->last_totp_step);
  if (!step) {
    // Tell a replayed code from a wrong one, for the audit.
    const bool reused = totp_match(account->totp_secret, job.totp, job.unix_time,
                                   std::numeric_limits<std::int64_t>::min())
                            .has_value();
    result.message = reused ? "reused code" : "wrong code";
    return result;
  }
  try {
    if (!accounts::consume_totp_step(db(), account->user, *step)) {
      result.message = "reused code";
      return result;
    }
  } catch (const std::exception& e) {
    sql_.reset();
    result.outcome = LoginCheck::Outcome::error;
    result.message = "database unavailable";
    spdlog::warn("staff login: recording the TOTP step failed: {}", first_line(e.what()));
    return result;
  }
  result.outcome = LoginCheck::Outcome::ok;
  result.message = "ok";
  return result;
}

}  // namespace irra::staff
