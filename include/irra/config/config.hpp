// IRRA's configuration: one JSON file (contract section 2), loaded once at start-up into
// a fully defaulted, validated, typed value. docs/configuration.md lists every key.
//
// Thread rule: load on the main thread before anything else starts; the resulting Config
// is then read-only and may be shared (by const reference) with every thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "irra/config/cidr.hpp"
#include "irra/config/config_error.hpp"

namespace irra::config {

// "host:port" or "[v6-address]:port"; host is stored without brackets.
struct Endpoint {
  std::string host;
  std::uint16_t port = 0;

  // Back to "host:port", bracketing an IPv6 address.
  std::string to_string() const;
};

enum class LogFormat { text, json };
enum class NotifySink { file, amqp };

struct LogConfig {
  std::string level = "info";  // trace|debug|info|warn|error
  LogFormat format = LogFormat::text;
};

struct HttpConfig {
  Endpoint listen{"0.0.0.0", 8443};
  std::filesystem::path tls_cert;  // empty (with tls_key empty): self-signed at start
  std::filesystem::path tls_key;
  std::filesystem::path static_dir = "static";
  // Base URL for links sent to investors, without a trailing '/'. Never empty: when not
  // configured it is derived from `listen` (https://HOST:PORT, localhost for a wildcard).
  std::string public_url = "https://localhost:8443";
  std::chrono::seconds idle_timeout{30};
  std::uint32_t max_connections = 20000;
};

struct DatabaseConfig {
  std::string url = "sqlite3://var/irra.db";  // scheme checked; store::DbUrl parses it
  std::uint32_t write_queue_limit = 100000;
  std::uint32_t write_batch_max = 5000;
  // The database counts as down while one call has not answered for this long.
  std::chrono::milliseconds write_stall{2000};
};

// One FIX session. host/port are the effective ones: the session's override if given,
// otherwise the exchange's.
struct FixSessionConfig {
  std::string sender_comp_id = "IRRA";
  std::string target_comp_id;
  std::string host;
  std::uint16_t port = 0;
};

struct ExchangeConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9878;
  std::chrono::seconds heartbeat{30};
  std::uint32_t order_rate_limit = 100;  // orders per second on order entry
  std::chrono::milliseconds reconnect_min{500};
  std::chrono::milliseconds reconnect_max{10000};
  bool tls = false;
  FixSessionConfig drop_copy{"IRRA", "EXCH-DC", "127.0.0.1", 9878};
  FixSessionConfig order_entry{"IRRA", "EXCH-OE", "127.0.0.1", 9878};
  FixSessionConfig market_data{"IRRA", "EXCH-MD", "127.0.0.1", 9878};
};

struct FailoverConfig {
  std::vector<std::string> probes;  // empty: no automatic activation
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{800};
  std::uint32_t fail_threshold = 3;
  std::uint32_t recover_threshold = 5;
  bool auto_activate = true;
};

struct NotifyConfig {
  NotifySink sink = NotifySink::file;
  std::filesystem::path file = "var/notifications.jsonl";
  std::string amqp_url = "amqp://guest:guest@127.0.0.1:5672/";
};

// The contract's default for admin.allow_from: loopback and the private ranges.
std::vector<Cidr> default_allow_from();

struct AdminConfig {
  std::filesystem::path socket = "var/irra.sock";
  std::vector<Cidr> allow_from = default_allow_from();

  // True when `address` lies in one of allow_from's networks (inline: see Cidr::contains).
  bool allows(const boost::asio::ip::address& address) const {
    for (const auto& cidr : allow_from) {
      if (cidr.contains(address)) return true;
    }
    return false;
  }
};

struct MetricsConfig {
  Endpoint listen{"127.0.0.1", 9464};
};

struct RiskConfig {
  // A MARKET square-off is sent as a LIMIT at ltp ± this many basis points.
  std::uint32_t market_protection_bps = 200;
  std::chrono::seconds otp_ttl{300};
};

// Investor web sessions (the staff terminal's timeouts are fixed by the contract).
struct WebSessionConfig {
  std::chrono::seconds idle_timeout{1800};
  std::chrono::seconds absolute_timeout{43200};
};

struct Config {
  LogConfig log;
  HttpConfig http;
  DatabaseConfig database;
  ExchangeConfig exchange;
  FailoverConfig failover;
  NotifyConfig notify;
  AdminConfig admin;
  MetricsConfig metrics;
  RiskConfig risk;
  WebSessionConfig session;

  std::string source;              // the file name (or source_name) it was loaded from
  std::set<std::string> from_env;  // dotted keys whose value came from "env:NAME"

  // The effective configuration as one line of JSON for the start-up log: env-derived
  // values and passwords inside URLs are replaced by "***".
  std::string redacted_json() const;
};

// Both throw ConfigError with one line "<source>: <dotted.key>: <what is wrong>".
// load_file reads at most 1 MiB.
Config load_file(const std::filesystem::path& path);
Config load_string(std::string_view json, std::string_view source_name);

}  // namespace irra::config
