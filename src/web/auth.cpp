#include "irra/web/auth.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "secret.hpp"

namespace irra::web {
namespace {

constexpr int otp_digits = 6;
// When a table is full even after a sweep, how long the caller is told to wait.
constexpr std::chrono::seconds full_retry_after{60};

// UCC and PAN are ASCII upper-case codes; the caller may have accepted other spellings.
std::string normalize_login(std::string_view login) {
  while (!login.empty() && (login.front() == ' ' || login.front() == '\t')) login.remove_prefix(1);
  while (!login.empty() && (login.back() == ' ' || login.back() == '\t')) login.remove_suffix(1);
  std::string out(login);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool is_otp_shaped(std::string_view otp) {
  return otp.size() == otp_digits &&
         std::all_of(otp.begin(), otp.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Plausible masks for a login without an account, stable for the process's key.
void fake_masks(const secret::Key& key, const std::string& login, OtpRequestResult& out) {
  static constexpr const char* domains[] = {
      "gmail.com", "gmail.com",   "gmail.com",      "gmail.com",   "gmail.com",   "gmail.com",
      "yahoo.com", "yahoo.co.in", "rediffmail.com", "outlook.com", "hotmail.com", "icloud.com"};
  const auto h = secret::keyed_hash(key, {login});
  const std::uint32_t tail =
      (std::uint32_t{h[0]} << 24 | std::uint32_t{h[1]} << 16 | std::uint32_t{h[2]} << 8 | h[3]) %
      10000;
  std::string digits = std::to_string(tail);
  digits.insert(0, 4 - digits.size(), '0');
  out.masked_mobile = "******" + digits;
  out.masked_email = std::string(1, static_cast<char>('a' + h[4] % 26)) + "***@" +
                     domains[h[5] % std::size(domains)];
}

}  // namespace

AuthStore::AuthStore(AuthSettings settings)
    : settings_(settings),
      otp_per_login_(settings.otp_requests_per_login, settings.otp_login_window,
                     settings.max_rate_keys),
      otp_per_ip_(settings.otp_requests_per_ip, settings.otp_ip_window, settings.max_rate_keys),
      login_per_ip_(settings.login_attempts_per_ip, settings.login_ip_window,
                    settings.max_rate_keys) {
  if (settings_.otp_max_tries <= 0 || settings_.otp_ttl <= std::chrono::seconds::zero() ||
      settings_.idle_timeout <= std::chrono::seconds::zero() ||
      settings_.absolute_timeout <= std::chrono::seconds::zero() || settings_.max_challenges == 0 ||
      settings_.max_sessions == 0 || settings_.max_sessions_per_client == 0) {
    throw std::invalid_argument("auth settings: tries, timeouts and sizes must be positive");
  }
  secret::init();
  otp_key_ = secret::random_key();
  token_key_ = secret::random_key();
  mask_key_ = secret::random_key();
  bucket_key_ = secret::random_key();
}

// Rate-limit and index keys: keyed hashes, so clients can neither predict them (no hash
// flooding) nor find logins or addresses in memory.
std::string AuthStore::bucket(std::string_view kind, std::string_view value) const {
  return secret::as_string(secret::keyed_hash(bucket_key_, {kind, ":", value})).substr(0, 16);
}

std::string AuthStore::session_key(std::string_view token) const {
  return secret::as_string(secret::keyed_hash(token_key_, {token}));
}

bool AuthStore::may_force_sweep(TimePoint now) {
  if (now - last_forced_sweep_ < std::chrono::seconds(1)) return false;
  last_forced_sweep_ = now;
  return true;
}

OtpRequestResult AuthStore::request_otp(std::string_view login, const domain::Client* client,
                                        std::string_view ip, TimePoint now) {
  OtpRequestResult result;
  const auto ip_key = bucket("ip", rate_key_of_ip(ip));
  if (auto wait = otp_per_ip_.retry_after(ip_key, now); wait.count() > 0) {
    result.outcome = OtpRequestResult::Outcome::rate_limited;
    result.retry_after = wait;
    return result;
  }
  otp_per_ip_.hit(ip_key, now);

  const bool real = client != nullptr && client->eligible;
  const std::string normalized = normalize_login(login);
  const auto login_key = real ? bucket("ucc", client->ucc) : bucket("login", normalized);
  if (auto wait = otp_per_login_.retry_after(login_key, now); wait.count() > 0) {
    result.outcome = OtpRequestResult::Outcome::rate_limited;
    result.retry_after = wait;
    return result;
  }

  // The previous challenge of this login makes room for its replacement.
  if (auto prev = challenge_of_login_.find(login_key); prev != challenge_of_login_.end()) {
    if (auto it = challenges_.find(prev->second); it != challenges_.end()) erase_challenge(it);
  }
  if (challenges_.size() >= settings_.max_challenges && may_force_sweep(now)) {
    sweep_challenges(now);
  }
  if (challenges_.size() >= settings_.max_challenges) {
    result.outcome = OtpRequestResult::Outcome::rate_limited;
    result.retry_after = full_retry_after;
    return result;
  }
  otp_per_login_.hit(login_key, now);

  Challenge c;
  c.login_key = login_key;
  c.expires_at = now + settings_.otp_ttl;
  c.tries_left = settings_.otp_max_tries;
  c.real = real;
  std::string id = secret::random_token();
  // Same work on both paths; a silent challenge keeps a random hash no OTP can match.
  std::string otp = secret::random_digits(otp_digits);
  c.otp_hash = secret::keyed_hash(otp_key_, {id, otp});
  if (real) {
    c.ucc = client->ucc;
    result.outcome = OtpRequestResult::Outcome::sent;
    result.masked_mobile = mask_mobile(client->mobile);
    result.masked_email = mask_email(client->email);
    result.delivery =
        OtpDelivery{client->ucc, client->mobile, client->email, std::move(otp), c.expires_at};
  } else {
    c.otp_hash = secret::random_key();
    result.outcome = OtpRequestResult::Outcome::silent;
    fake_masks(mask_key_, normalized, result);
  }
  challenge_of_login_[login_key] = id;
  challenges_.emplace(id, std::move(c));
  result.challenge_id = std::move(id);
  return result;
}

VerifyResult AuthStore::verify(std::string_view challenge_id, std::string_view otp,
                               std::string_view ip, TimePoint now) {
  VerifyResult result;
  const auto ip_key = bucket("ip", rate_key_of_ip(ip));
  if (auto wait = login_per_ip_.retry_after(ip_key, now); wait.count() > 0) {
    result.outcome = VerifyResult::Outcome::rate_limited;
    result.retry_after = wait;
    return result;
  }
  login_per_ip_.hit(ip_key, now);

  auto it = challenges_.find(std::string(challenge_id));
  if (it == challenges_.end()) {
    result.outcome = VerifyResult::Outcome::expired;
    return result;
  }
  Challenge& c = it->second;
  if (now >= c.expires_at) {
    erase_challenge(it);
    result.outcome = VerifyResult::Outcome::expired;
    return result;
  }
  result.ucc = c.ucc;
  const auto given = secret::keyed_hash(otp_key_, {it->first, otp});
  const bool match = secret::equal(given, c.otp_hash) && is_otp_shaped(otp) && c.real;
  if (match) {
    auto session = open_session(c.ucc, now);
    if (!session) {  // the session table is full: keep the challenge for a later try
      result.outcome = VerifyResult::Outcome::rate_limited;
      result.retry_after = full_retry_after;
      return result;
    }
    erase_challenge(it);
    result.outcome = VerifyResult::Outcome::ok;
    result.session = std::move(session);
    return result;
  }
  if (--c.tries_left <= 0) {
    erase_challenge(it);
    result.outcome = VerifyResult::Outcome::burnt;
    return result;
  }
  result.outcome = VerifyResult::Outcome::wrong;
  result.tries_left = c.tries_left;
  return result;
}

std::optional<NewSession> AuthStore::open_session(const std::string& ucc, TimePoint now) {
  auto mine = sessions_by_ucc_.find(ucc);
  const bool evict =
      mine != sessions_by_ucc_.end() && mine->second.size() >= settings_.max_sessions_per_client;
  if (!evict) {
    if (sessions_.size() >= settings_.max_sessions && may_force_sweep(now)) sweep_sessions(now);
    if (sessions_.size() >= settings_.max_sessions) return std::nullopt;
  } else {
    erase_session(sessions_.find(mine->second.front()));  // the client's oldest
  }

  NewSession fresh;
  fresh.token = secret::random_token();
  fresh.csrf_token = secret::random_token();
  fresh.expires_at = now + settings_.absolute_timeout;
  fresh.idle_expires_at = std::min(now + settings_.idle_timeout, fresh.expires_at);
  auto key = session_key(fresh.token);
  sessions_by_ucc_[ucc].push_back(key);
  sessions_.emplace(std::move(key), WebSession{ucc, fresh.csrf_token, now, now,
                                               fresh.idle_expires_at, fresh.expires_at});
  return fresh;
}

const WebSession* AuthStore::find_session(std::string_view token, TimePoint now) {
  if (token.empty()) return nullptr;
  auto it = sessions_.find(session_key(token));
  if (it == sessions_.end()) return nullptr;
  WebSession& s = it->second;
  if (now >= s.idle_expires_at || now >= s.expires_at) {
    erase_session(it);
    return nullptr;
  }
  s.last_seen = now;
  s.idle_expires_at = std::min(now + settings_.idle_timeout, s.expires_at);
  return &s;
}

bool AuthStore::has_session(std::string_view token, TimePoint now) const {
  if (token.empty()) return false;
  const auto it = sessions_.find(session_key(token));
  return it != sessions_.end() && now < it->second.idle_expires_at && now < it->second.expires_at;
}

bool AuthStore::check_csrf(const WebSession& s, std::string_view header_value) const {
  return secret::equal(s.csrf_token, header_value);
}

bool AuthStore::end_session(std::string_view token) {
  if (token.empty()) return false;
  auto it = sessions_.find(session_key(token));
  if (it == sessions_.end()) return false;
  erase_session(it);
  return true;
}

std::size_t AuthStore::end_sessions_of(std::string_view ucc) {
  auto mine = sessions_by_ucc_.find(std::string(ucc));
  if (mine == sessions_by_ucc_.end()) return 0;
  const std::size_t n = mine->second.size();
  for (const auto& key : mine->second) sessions_.erase(key);
  sessions_by_ucc_.erase(mine);
  return n;
}

std::size_t AuthStore::sessions_of(std::string_view ucc) const {
  auto mine = sessions_by_ucc_.find(std::string(ucc));
  return mine == sessions_by_ucc_.end() ? 0 : mine->second.size();
}

void AuthStore::sweep(TimePoint now) {
  sweep_challenges(now);
  sweep_sessions(now);
  otp_per_login_.sweep(now);
  otp_per_ip_.sweep(now);
  login_per_ip_.sweep(now);
}

std::vector<std::string> AuthStore::stored_session_keys() const {
  std::vector<std::string> keys;
  keys.reserve(sessions_.size());
  for (const auto& entry : sessions_) keys.push_back(entry.first);
  return keys;
}

void AuthStore::erase_challenge(ChallengeMap::iterator it) {
  auto index = challenge_of_login_.find(it->second.login_key);
  if (index != challenge_of_login_.end() && index->second == it->first) {
    challenge_of_login_.erase(index);
  }
  challenges_.erase(it);
}

void AuthStore::erase_session(SessionMap::iterator it) {
  if (it == sessions_.end()) return;
  auto mine = sessions_by_ucc_.find(it->second.ucc);
  if (mine != sessions_by_ucc_.end()) {
    std::erase(mine->second, it->first);
    if (mine->second.empty()) sessions_by_ucc_.erase(mine);
  }
  sessions_.erase(it);
}

void AuthStore::sweep_challenges(TimePoint now) {
  for (auto it = challenges_.begin(); it != challenges_.end();) {
    auto next = std::next(it);
    if (now >= it->second.expires_at) erase_challenge(it);
    it = next;
  }
}

void AuthStore::sweep_sessions(TimePoint now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto next = std::next(it);
    if (now >= it->second.idle_expires_at || now >= it->second.expires_at) erase_session(it);
    it = next;
  }
}

}  // namespace irra::web
