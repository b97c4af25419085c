#include "irra/web/staff_sessions.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "secret.hpp"

namespace irra::web {
namespace {

std::string as_string(const secret::Key& k) {
  return std::string(reinterpret_cast<const char*>(k.data()), k.size());
}

// Login names are compared case-insensitively for the limit, as MySQL compares them.
std::string normalize_user(std::string_view user) {
  std::string out(user);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// IPv4 as is (also when IPv4-mapped), IPv6 by its /64 prefix (one host usually owns a
// whole /64); anything else verbatim. The same rule as the investor limits (auth.cpp).
std::string normalize_ip(std::string_view ip) {
  std::string text(ip);
  unsigned char v6[16];
  if (::inet_pton(AF_INET6, text.c_str(), v6) != 1) return text;
  static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(mapped, mapped + 12, v6)) {
    return std::to_string(v6[12]) + '.' + std::to_string(v6[13]) + '.' + std::to_string(v6[14]) +
           '.' + std::to_string(v6[15]);
  }
  return "v6/64:" + std::string(reinterpret_cast<const char*>(v6), 8);
}

bool digits(std::string_view text, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > text.size()) return false;
  const auto* first = text.data() + pos;
  const auto* last = first + n;
  if (!std::all_of(first, last, [](char c) { return c >= '0' && c <= '9'; })) return false;
  return std::from_chars(first, last, out).ptr == last;
}

}  // namespace

std::optional<TimePoint> parse_iso_utc(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() < 20 || !digits(text, 0, 4, y) || text[4] != '-' || !digits(text, 5, 2, mo) ||
      text[7] != '-' || !digits(text, 8, 2, d) || text[10] != 'T' || !digits(text, 11, 2, h) ||
      text[13] != ':' || !digits(text, 14, 2, mi) || text[16] != ':' || !digits(text, 17, 2, s)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::chrono::nanoseconds fraction{0};
  if (text[pos] == '.') {
    ++pos;
    std::int64_t ns = 0;
    std::size_t n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (++n > 9) return std::nullopt;
      ns = ns * 10 + (text[pos] - '0');
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (; n < 9; ++n) ns *= 10;
    fraction = std::chrono::nanoseconds(ns);
  }
  if (pos + 1 != text.size() || text[pos] != 'Z') return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                                         std::chrono::day(unsigned(d))};
  if (!date.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const auto t = std::chrono::sys_days(date) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                 std::chrono::seconds(s) + fraction;
  return std::chrono::time_point_cast<TimePoint::duration>(t);
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
  return as_string(secret::keyed_hash(token_key_, {token}));
}

std::string StaffSessions::bucket(std::string_view kind, std::string_view value) const {
  return as_string(secret::keyed_hash(bucket_key_, {kind, ":", value})).substr(0, 16);
}

std::optional<std::chrono::seconds> StaffSessions::blocked(std::string_view user,
                                                           std::string_view ip, TimePoint now) {
  const auto by_user = failures_per_user_.retry_after(bucket("user", normalize_user(user)), now);
  const auto by_ip = failures_per_ip_.retry_after(bucket("ip", normalize_ip(ip)), now);
  const auto wait = std::max(by_user, by_ip);
  if (wait <= std::chrono::seconds::zero()) return std::nullopt;
  return wait;
}

void StaffSessions::note_failure(std::string_view user, std::string_view ip, TimePoint now) {
  failures_per_user_.hit(bucket("user", normalize_user(user)), now);
  failures_per_ip_.hit(bucket("ip", normalize_ip(ip)), now);
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
