#include "irra/config/config.hpp"

#include <nlohmann/json.hpp>

#include "checks.hpp"

namespace irra::config {

namespace {

using nlohmann::json;

const char* name_of(LogFormat format) {
  return format == LogFormat::json ? "json" : "text";
}
const char* name_of(NotifySink sink) {
  return sink == NotifySink::amqp ? "amqp" : "file";
}

json fix_session_json(const FixSessionConfig& s) {
  return {{"sender_comp_id", s.sender_comp_id},
          {"target_comp_id", s.target_comp_id},
          {"host", s.host},
          {"port", s.port}};
}

// Replaces the value at a dotted key such as "failover.probes[1]", if present.
void mask(json& root, const std::string& dotted) {
  json* at = &root;
  std::size_t pos = 0;
  while (pos < dotted.size() && at) {
    auto end = dotted.find_first_of(".[", pos);
    std::string part = dotted.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (!part.empty()) {
      if (!at->is_object() || !at->contains(part)) return;
      at = &(*at)[part];
    }
    if (end == std::string::npos) break;
    if (dotted[end] == '[') {
      auto close = dotted.find(']', end);
      if (close == std::string::npos) return;
      std::size_t index = std::stoul(dotted.substr(end + 1, close - end - 1));
      if (!at->is_array() || index >= at->size()) return;
      at = &(*at)[index];
      pos = close + 1;
      if (pos < dotted.size() && dotted[pos] == '.') ++pos;
    } else {
      pos = end + 1;
    }
  }
  if (at) *at = "***";
}

}  // namespace

std::string Endpoint::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::vector<Cidr> default_allow_from() {
  std::vector<Cidr> out;
  for (const char* text :
       {"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}) {
    out.push_back(*Cidr::parse(text));
  }
  return out;
}

std::string Config::redacted_json() const {
  json probes = json::array();
  for (const auto& probe : failover.probes) probes.push_back(detail::redact_url(probe));
  json allow = json::array();
  for (const auto& cidr : admin.allow_from) allow.push_back(cidr.to_string());
  json out = {
      {"log", {{"level", log.level}, {"format", name_of(log.format)}}},
      {"http",
       {{"listen", http.listen.to_string()},
        {"tls_cert", http.tls_cert.string()},
        {"tls_key", http.tls_key.string()},
        {"static_dir", http.static_dir.string()},
        {"public_url", http.public_url},
        {"idle_timeout_s", http.idle_timeout.count()},
        {"max_connections", http.max_connections}}},
      {"database",
       {{"url", detail::redact_url(database.url)},
        {"write_queue_limit", database.write_queue_limit},
        {"write_batch_max", database.write_batch_max},
        {"write_stall_ms", database.write_stall.count()}}},
      {"exchange",
       {{"host", exchange.host},
        {"port", exchange.port},
        {"heartbeat_s", exchange.heartbeat.count()},
        {"order_rate_limit", exchange.order_rate_limit},
        {"reconnect_min_ms", exchange.reconnect_min.count()},
        {"reconnect_max_ms", exchange.reconnect_max.count()},
        {"tls", exchange.tls},
        {"sessions",
         {{"drop_copy", fix_session_json(exchange.drop_copy)},
          {"order_entry", fix_session_json(exchange.order_entry)},
          {"market_data", fix_session_json(exchange.market_data)}}}}},
      {"failover",
       {{"probes", probes},
        {"interval_ms", failover.interval.count()},
        {"timeout_ms", failover.timeout.count()},
        {"fail_threshold", failover.fail_threshold},
        {"recover_threshold", failover.recover_threshold},
        {"auto_activate", failover.auto_activate}}},
      {"notify",
       {{"sink", name_of(notify.sink)},
        {"file", notify.file.string()},
        {"amqp_url", detail::redact_url(notify.amqp_url)}}},
      {"admin", {{"socket", admin.socket.string()}, {"allow_from", allow}}},
      {"metrics", {{"listen", metrics.listen.to_string()}}},
      {"risk",
       {{"market_protection_bps", risk.market_protection_bps},
        {"otp_ttl_s", risk.otp_ttl.count()}}},
      {"session",
       {{"idle_timeout_s", session.idle_timeout.count()},
        {"absolute_timeout_s", session.absolute_timeout.count()}}},
  };
  for (const auto& key : from_env) mask(out, key);
  // Env values may hold any bytes; replace rather than throw on invalid UTF-8.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace irra::config
