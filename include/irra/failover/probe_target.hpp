// One health URL of the main site (failover.probes), taken apart for the probe's client:
// http:// or https://, optional user:password@ (sent as HTTP Basic), host name, IPv4 or
// [IPv6], optional port (default 80/443), path and query (default "/"); a #fragment is
// dropped. Pure functions, safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace irra::failover {

struct ProbeTarget {
  std::string url;            // as configured, with any password replaced by "***" (logs, metrics)
  bool tls = false;           // https
  std::string host;           // without brackets
  std::string port;           // decimal
  std::string target;         // origin-form request target: "/health?x=1"
  std::string host_header;    // Host: value ("[::1]:8443"; no port when it is the default)
  std::string authorization;  // "Basic ..." when the URL carries user info, else ""
};

// nullopt with `error` set when the URL is not usable.
std::optional<ProbeTarget> parse_probe_url(std::string_view url, std::string& error);

}  // namespace irra::failover
