#include "irra/web/staff_sessions.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "irra/domain/timestamp.hpp"
#include "secret.hpp"

namespace irra::web {
namespace {

// Login names are compared case-insensitively for the limit, as MySQL compares them.
std::string normalize_user(std::string_view user) {
  std::string out(user);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::optional<TimePoint> parse_iso_utc(std::string_view text) {
  const auto micros = domain::parse_iso8601(text);
  if (!micros) return std::nullopt;
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(*micros)));
}

StaffSessions::StaffSessions(StaffSessionSettings settings)
    : settings_(settings),
      failures_per_user_(settings.max_failures, settings.failure_window, settings.max_rate_keys),
      failures_per_ip_(settings.max_failures, settings.failure_window, settings.max_rate_keys) {
  if (settings_.idle_timeout <= std::chrono::seconds::zero() ||
      settings_.absolute_timeout <= std::chrono::seconds::zero() || settings_.max_sessions == 0) {
    throw std::invalid_argument("staff session settings: timeouts and sizes must be positive");
  }
  secret::init();
  token_key_ = secret::random_key();
  bucket_key_ = secret::random_key();
}

std::string StaffSessions::session_key(std::string_view token) const {
  return secret::as_string(secret::keyed_hash(token_key_, {token}));
}

std::string StaffSessions::bucket(std::string_view kind, std::string_view value) const {
  return secret::as_string(secret::keyed_hash(bucket_key_, {kind, ":", value})).substr(0, 16);
}

std::optional<std::chrono::seconds> StaffSessions::blocked(std::string_view user,
                                                           std::string_view ip, TimePoint now) {
  const auto by_user = failures_per_user_.retry_after(bucket("user", normalize_user(user)), now);
  const auto by_ip = failures_per_ip_.retry_after(bucket("ip", rate_key_of_ip(ip)), now);
  const auto wait = std::max(by_user, by_ip);
  if (wait <= std::chrono::seconds::zero()) return std::nullopt;
  return wait;
}

void StaffSessions::note_failure(std::string_view user, std::string_view ip, TimePoint now) {
  failures_per_user_.hit(bucket("user", normalize_user(user)), now);
  failures_per_ip_.hit(bucket("ip", rate_key_of_ip(ip)), now);
}

std::optional<NewStaffSession> StaffSessions::open(std::string user, staff::Role role,
                                                   std::string ip, std::string user_agent,
                                                   TimePoint now) {
  if (sessions_.size() >= settings_.max_sessions &&
      now - last_forced_sweep_ >= std::chrono::seconds(1)) {
    last_forced_sweep_ = now;
    sweep_sessions(now);
  }
  if (sessions_.size() >= settings_.max_sessions) return std::nullopt;

  NewStaffSession fresh;
  fresh.token = secret::random_token();
  fresh.csrf_token = secret::random_token();
  fresh.expires_at = now + settings_.absolute_timeout;
  fresh.idle_expires_at = std::min(now + settings_.idle_timeout, fresh.expires_at);
  StaffSession s;
  s.user = std::move(user);
  s.role = role;
  s.csrf_token = fresh.csrf_token;
  s.ip = std::move(ip);
  s.user_agent = std::move(user_agent);
  s.created = s.last_seen = now;
  s.idle_expires_at = fresh.idle_expires_at;
  s.expires_at = fresh.expires_at;
  sessions_.emplace(session_key(fresh.token), std::move(s));
  return fresh;
}

const StaffSession* StaffSessions::find(std::string_view token, TimePoint now) {
  if (token.empty()) return nullptr;
  auto it = sessions_.find(session_key(token));
  if (it == sessions_.end()) return nullptr;
  StaffSession& s = it->second;
  if (now >= s.idle_expires_at || now >= s.expires_at) {
    sessions_.erase(it);
    return nullptr;
  }
  s.last_seen = now;
  s.idle_expires_at = std::min(now + settings_.idle_timeout, s.expires_at);
  return &s;
}

bool StaffSessions::has(std::string_view token, TimePoint now) const {
  if (token.empty()) return false;
  const auto it = sessions_.find(session_key(token));
  return it != sessions_.end() && now < it->second.idle_expires_at && now < it->second.expires_at;
}

bool StaffSessions::check_csrf(const StaffSession& session, std::string_view header) const {
  return secret::equal(session.csrf_token, header);
}

bool StaffSessions::end(std::string_view token) {
  if (token.empty()) return false;
  return sessions_.erase(session_key(token)) > 0;
}

std::size_t StaffSessions::end_sessions_of(std::string_view user) {
  return std::erase_if(sessions_, [&](const auto& entry) { return entry.second.user == user; });
}

std::size_t StaffSessions::sync(const std::vector<staff::Account>& accounts) {
  std::unordered_map<std::string_view, const staff::Account*> by_user;
  for (const auto& a : accounts) by_user.emplace(a.user, &a);
  return std::erase_if(sessions_, [&](const auto& entry) {
    const StaffSession& s = entry.second;
    const auto it = by_user.find(s.user);
    if (it == by_user.end()) return true;
    const staff::Account& a = *it->second;
    if (a.disabled || a.role != s.role) return true;
    const auto updated = parse_iso_utc(a.updated_at);
    return !updated || *updated > s.created;
  });
}

std::vector<std::string> StaffSessions::users() const {
  std::set<std::string> names;
  for (const auto& entry : sessions_) names.insert(entry.second.user);
  return {names.begin(), names.end()};
}

void StaffSessions::sweep(TimePoint now) {
  sweep_sessions(now);
  failures_per_user_.sweep(now);
  failures_per_ip_.sweep(now);
}

void StaffSessions::sweep_sessions(TimePoint now) {
  std::erase_if(sessions_, [&](const auto& entry) {
    return now >= entry.second.idle_expires_at || now >= entry.second.expires_at;
  });
}

std::vector<std::string> StaffSessions::stored_session_keys() const {
  std::vector<std::string> keys;
  keys.reserve(sessions_.size());
  for (const auto& entry : sessions_) keys.push_back(entry.first);
  return keys;
}

}  // namespace irra::web
