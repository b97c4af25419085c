// Reads every section of the configuration, applying defaults and validating each value.
// The order of the checks is the order of docs/configuration.md.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "checks.hpp"
#include "irra/config/config.hpp"
#include "reader.hpp"

namespace irra::config {

namespace {

using detail::Reader;
using detail::Text;

constexpr std::size_t max_file_bytes = 1 << 20;

void check(const Reader& r, const Text& text, const std::string& why) {
  if (!why.empty()) r.fail_value(text, why);
}

void read_path(const Reader& r, std::string_view key, std::filesystem::path& out,
               bool may_be_empty = false) {
  if (auto text = r.string(key)) {
    if (!(may_be_empty && text->value.empty())) check(r, *text, detail::check_path(text->value));
    out = text->value;
  }
}

void read_endpoint(const Reader& r, std::string_view key, Endpoint& out) {
  if (auto text = r.string(key)) check(r, *text, detail::parse_endpoint(text->value, out));
}

template <typename Duration>
void read_duration(const Reader& r, std::string_view key, Duration& out, std::int64_t min,
                   std::int64_t max) {
  if (auto n = r.integer(key, min, max)) out = Duration(*n);
}

void read_u32(const Reader& r, std::string_view key, std::uint32_t& out, std::int64_t min,
              std::int64_t max) {
  if (auto n = r.integer(key, min, max)) out = static_cast<std::uint32_t>(*n);
}

void read_log(const Reader& r, LogConfig& log) {
  r.allow_only({"level", "format"});
  if (auto text = r.string("level")) {
    const auto& v = text->value;
    if (v != "trace" && v != "debug" && v != "info" && v != "warn" && v != "error") {
      r.fail_value(*text, "expected trace, debug, info, warn or error, got \"" +
                              detail::printable(v) + "\"");
    }
    log.level = v;
  }
  if (auto text = r.string("format")) {
    if (text->value == "text") {
      log.format = LogFormat::text;
    } else if (text->value == "json") {
      log.format = LogFormat::json;
    } else {
      r.fail_value(*text, "expected text or json, got \"" + detail::printable(text->value) + "\"");
    }
  }
}

void read_http(const Reader& r, HttpConfig& http) {
  r.allow_only({"listen", "tls_cert", "tls_key", "static_dir", "public_url", "idle_timeout_s",
                "max_connections"});
  read_endpoint(r, "listen", http.listen);
  read_path(r, "tls_cert", http.tls_cert, true);
  read_path(r, "tls_key", http.tls_key, true);
  // Half a key pair is a mistake, not a request for a self-signed certificate.
  if (!http.tls_cert.empty() && http.tls_key.empty()) {
    r.fail("tls_key", "required when http.tls_cert is set");
  }
  if (http.tls_cert.empty() && !http.tls_key.empty()) {
    r.fail("tls_cert", "required when http.tls_key is set");
  }
  read_path(r, "static_dir", http.static_dir);
  http.public_url.clear();
  if (auto text = r.string("public_url")) {
    // Kept without a trailing '/', so that users of it append "/path".
    while (!text->value.empty() && text->value.back() == '/') text->value.pop_back();
    if (!text->value.empty()) check(r, *text, detail::check_url(text->value, {"https://"}));
    http.public_url = text->value;
  }
  if (http.public_url.empty()) {
    const auto& host = http.listen.host;
    bool wildcard = host == "0.0.0.0" || host == "::";
    Endpoint shown{wildcard ? "localhost" : host, http.listen.port};
    http.public_url = "https://" + shown.to_string();
  }
  read_duration(r, "idle_timeout_s", http.idle_timeout, 1, 3600);
  read_u32(r, "max_connections", http.max_connections, 1, 1000000);
}

void read_database(const Reader& r, DatabaseConfig& db) {
  r.allow_only({"url", "write_queue_limit", "write_batch_max", "write_stall_ms"});
  if (auto text = r.string("url")) {
    check(r, *text, detail::check_url(text->value, {"sqlite3://", "mysql://"}));
    db.url = text->value;
  }
  read_u32(r, "write_queue_limit", db.write_queue_limit, 1, 100000000);
  read_u32(r, "write_batch_max", db.write_batch_max, 1, 1000000);
  read_duration(r, "write_stall_ms", db.write_stall, 100, 600000);
  if (db.write_batch_max > db.write_queue_limit) {
    r.fail("write_batch_max", "must not exceed database.write_queue_limit (" +
                                  std::to_string(db.write_queue_limit) + ")");
  }
}

void read_fix_session(const Reader& r, const ExchangeConfig& exchange, FixSessionConfig& s) {
  r.allow_only({"sender_comp_id", "target_comp_id", "host", "port"});
  if (auto text = r.string("sender_comp_id")) {
    check(r, *text, detail::check_comp_id(text->value));
    s.sender_comp_id = text->value;
  }
  if (auto text = r.string("target_comp_id")) {
    check(r, *text, detail::check_comp_id(text->value));
    s.target_comp_id = text->value;
  }
  s.host = exchange.host;
  if (auto text = r.string("host")) {
    check(r, *text, detail::check_host(text->value));
    s.host = text->value;
  } else if (r.context().from_env.count("exchange.host")) {
    // The inherited value is env-derived too: keep it out of the logs.
    r.context().from_env.insert(r.path_of("host"));
  }
  s.port = exchange.port;
  if (auto n = r.integer("port", 1, 65535)) s.port = static_cast<std::uint16_t>(*n);
}

void read_exchange(const Reader& r, ExchangeConfig& ex) {
  r.allow_only({"host", "port", "heartbeat_s", "order_rate_limit", "sessions", "reconnect_min_ms",
                "reconnect_max_ms", "tls"});
  if (auto text = r.string("host")) {
    check(r, *text, detail::check_host(text->value));
    ex.host = text->value;
  }
  if (auto n = r.integer("port", 1, 65535)) ex.port = static_cast<std::uint16_t>(*n);
  read_duration(r, "heartbeat_s", ex.heartbeat, 1, 3600);
  read_u32(r, "order_rate_limit", ex.order_rate_limit, 1, 1000000);
  read_duration(r, "reconnect_min_ms", ex.reconnect_min, 1, 3600000);
  read_duration(r, "reconnect_max_ms", ex.reconnect_max, 1, 3600000);
  if (ex.reconnect_max < ex.reconnect_min) {
    r.fail("reconnect_max_ms", "must be at least exchange.reconnect_min_ms (" +
                                   std::to_string(ex.reconnect_min.count()) + ")");
  }
  if (auto b = r.boolean("tls")) ex.tls = *b;

  Reader sessions = r.object("sessions");
  sessions.allow_only({"drop_copy", "order_entry", "market_data"});
  read_fix_session(sessions.object("drop_copy"), ex, ex.drop_copy);
  read_fix_session(sessions.object("order_entry"), ex, ex.order_entry);
  read_fix_session(sessions.object("market_data"), ex, ex.market_data);
  // The exchange tells sessions apart by CompIDs, and sequence numbers are stored per pair.
  const std::pair<const char*, const FixSessionConfig*> all[] = {{"drop_copy", &ex.drop_copy},
                                                                 {"order_entry", &ex.order_entry},
                                                                 {"market_data", &ex.market_data}};
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = i + 1; j < 3; ++j) {
      if (all[i].second->sender_comp_id == all[j].second->sender_comp_id &&
          all[i].second->target_comp_id == all[j].second->target_comp_id) {
        sessions.fail(all[j].first, std::string("has the same sender_comp_id and target_comp_id as "
                                                "exchange.sessions.") +
                                        all[i].first);
      }
    }
  }
}

void read_failover(const Reader& r, FailoverConfig& f) {
  r.allow_only({"probes", "interval_ms", "timeout_ms", "fail_threshold", "recover_threshold",
                "auto_activate"});
  if (auto probes = r.strings("probes", 16)) {
    f.probes.clear();
    for (const auto& text : *probes) {
      check(r, text, detail::check_url(text.value, {"http://", "https://"}));
      f.probes.push_back(text.value);
    }
  }
  read_duration(r, "interval_ms", f.interval, 1, 3600000);
  read_duration(r, "timeout_ms", f.timeout, 1, 3600000);
  // A probe still running when the next is due would overlap and blur the count.
  if (f.timeout >= f.interval) {
    r.fail("timeout_ms",
           "must be less than failover.interval_ms (" + std::to_string(f.interval.count()) + ")");
  }
  read_u32(r, "fail_threshold", f.fail_threshold, 1, 1000);
  read_u32(r, "recover_threshold", f.recover_threshold, 1, 1000);
  if (auto b = r.boolean("auto_activate")) f.auto_activate = *b;
}

void read_notify(const Reader& r, NotifyConfig& n) {
  r.allow_only({"sink", "file", "amqp_url"});
  if (auto text = r.string("sink")) {
    if (text->value == "file") {
      n.sink = NotifySink::file;
    } else if (text->value == "amqp") {
      n.sink = NotifySink::amqp;
    } else {
      r.fail_value(*text, "expected file or amqp, got \"" + detail::printable(text->value) + "\"");
    }
  }
  read_path(r, "file", n.file);
  if (auto text = r.string("amqp_url")) {
    check(r, *text, detail::check_url(text->value, {"amqp://", "amqps://"}));
    n.amqp_url = text->value;
  }
}

void read_admin(const Reader& r, AdminConfig& a) {
  r.allow_only({"socket", "allow_from"});
  read_path(r, "socket", a.socket);
  // sun_path holds 108 bytes including the terminating NUL.
  if (a.socket.native().size() > 107) {
    r.fail("socket", "longer than 107 bytes, the limit for a Unix socket path");
  }
  if (auto list = r.strings("allow_from", 256)) {
    a.allow_from.clear();
    for (const auto& text : *list) {
      std::string why;
      auto cidr = Cidr::parse(text.value, &why);
      if (!cidr) r.fail_value(text, why);
      a.allow_from.push_back(*cidr);
    }
  }
}

void read_metrics(const Reader& r, MetricsConfig& m) {
  r.allow_only({"listen"});
  read_endpoint(r, "listen", m.listen);
}

void read_risk(const Reader& r, RiskConfig& risk) {
  r.allow_only({"market_protection_bps", "otp_ttl_s"});
  read_u32(r, "market_protection_bps", risk.market_protection_bps, 1, 5000);
  read_duration(r, "otp_ttl_s", risk.otp_ttl, 30, 900);
}

void read_session(const Reader& r, WebSessionConfig& s) {
  r.allow_only({"idle_timeout_s", "absolute_timeout_s"});
  read_duration(r, "idle_timeout_s", s.idle_timeout, 60, 86400);
  read_duration(r, "absolute_timeout_s", s.absolute_timeout, 60, 7 * 86400);
  if (s.absolute_timeout < s.idle_timeout) {
    r.fail("absolute_timeout_s", "must be at least session.idle_timeout_s (" +
                                     std::to_string(s.idle_timeout.count()) + ")");
  }
}

}  // namespace

Config load_string(std::string_view json, std::string_view source_name) {
  detail::LoadContext ctx{std::string(source_name), {}};
  const nlohmann::json document = detail::parse_document(json, ctx.source);
  if (!document.is_object()) detail::fail(ctx, {}, "the configuration must be a JSON object");
  Reader root(document, "", ctx);
  root.allow_only({"log", "http", "database", "exchange", "failover", "notify", "admin", "metrics",
                   "risk", "session"});
  Config config;
  read_log(root.object("log"), config.log);
  read_http(root.object("http"), config.http);
  read_database(root.object("database"), config.database);
  read_exchange(root.object("exchange"), config.exchange);
  read_failover(root.object("failover"), config.failover);
  read_notify(root.object("notify"), config.notify);
  read_admin(root.object("admin"), config.admin);
  read_metrics(root.object("metrics"), config.metrics);
  read_risk(root.object("risk"), config.risk);
  read_session(root.object("session"), config.session);
  config.source = ctx.source;
  config.from_env = std::move(ctx.from_env);
  return config;
}

Config load_file(const std::filesystem::path& path) {
  detail::LoadContext ctx{path.string(), {}};
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) detail::fail(ctx, {}, "is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    detail::fail(ctx, {},
                 std::string("cannot open the configuration file: ") + std::strerror(errno));
  }
  std::string text;
  text.resize(max_file_bytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) detail::fail(ctx, {}, "cannot read the configuration file");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_file_bytes) {
    detail::fail(ctx, {}, "larger than 1 MiB; this is not a configuration file");
  }
  return load_string(text, ctx.source);
}

}  // namespace irra::config
