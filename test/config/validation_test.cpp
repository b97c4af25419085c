#include <catch2/catch.hpp>

#include "error_of.hpp"

using irra::config::test::error_of;

TEST_CASE("listen addresses must be host:port or [ipv6]:port") {
  CHECK(error_of(R"({"http": {"listen": "[::1]:8443"}})") == "accepted");
  CHECK(error_of(R"({"http": {"listen": "localhost:8443"}})") == "accepted");
  CHECK(error_of(R"({"http": {"listen": "8443"}})") ==
        "t.json: http.listen: expected \"host:port\" or \"[ipv6]:port\", got \"8443\"");
  CHECK(error_of(R"({"http": {"listen": ":8443"}})") ==
        "t.json: http.listen: expected \"host:port\" or \"[ipv6]:port\", got \":8443\"");
  CHECK(error_of(R"({"http": {"listen": "::1:8443"}})") ==
        "t.json: http.listen: an IPv6 address must be in brackets, as in \"[::1]:8443\"");
  CHECK(error_of(R"({"http": {"listen": "[1.2.3.4]:8443"}})") ==
        "t.json: http.listen: '1.2.3.4' is not a valid IPv6 address");
  CHECK(error_of(R"({"http": {"listen": "[::1]8443"}})") ==
        "t.json: http.listen: expected \"host:port\" or \"[ipv6]:port\", got \"[::1]8443\"");
  CHECK(error_of(R"({"metrics": {"listen": "127.0.0.1:0"}})") ==
        "t.json: metrics.listen: port must be an integer from 1 to 65535, got \"0\"");
  CHECK(error_of(R"({"metrics": {"listen": "127.0.0.1:65536"}})") ==
        "t.json: metrics.listen: port must be an integer from 1 to 65535, got \"65536\"");
  CHECK(error_of(R"({"metrics": {"listen": "127.0.0.1:+80"}})") ==
        "t.json: metrics.listen: port must be an integer from 1 to 65535, got \"+80\"");
  CHECK(error_of(R"({"metrics": {"listen": "300.1.1.1:80"}})") ==
        "t.json: metrics.listen: '300.1.1.1' is not a valid IPv4 address");
  CHECK(error_of(R"({"metrics": {"listen": "bad_host:80"}})") ==
        "t.json: metrics.listen: 'bad_host' is not a valid host name or IP address");
  CHECK(error_of(R"({"metrics": {"listen": 9464}})") ==
        "t.json: metrics.listen: expected a string, got 9464");
}

TEST_CASE("ports must be integers from 1 to 65535") {
  CHECK(error_of(R"({"exchange": {"port": 0}})") ==
        "t.json: exchange.port: expected an integer from 1 to 65535, got 0");
  CHECK(error_of(R"({"exchange": {"port": 65536}})") ==
        "t.json: exchange.port: expected an integer from 1 to 65535, got 65536");
  CHECK(error_of(R"({"exchange": {"port": "9878"}})") ==
        "t.json: exchange.port: expected an integer from 1 to 65535, got the string \"9878\"");
  CHECK(error_of(R"({"exchange": {"port": 9878.0}})") ==
        "t.json: exchange.port: expected an integer from 1 to 65535, got 9878.0");
  CHECK(error_of(R"({"exchange": {"port": 18446744073709551615}})") ==
        "t.json: exchange.port: expected an integer from 1 to 65535, got 18446744073709551615");
  CHECK(error_of(R"({"exchange": {"sessions": {"market_data": {"port": -1}}}})") ==
        "t.json: exchange.sessions.market_data.port: expected an integer from 1 to 65535, got -1");
}

TEST_CASE("counts and durations must be positive integers within range") {
  CHECK(error_of(R"({"exchange": {"heartbeat_s": 0}})") ==
        "t.json: exchange.heartbeat_s: expected an integer from 1 to 3600, got 0");
  CHECK(error_of(R"({"exchange": {"order_rate_limit": -5}})") ==
        "t.json: exchange.order_rate_limit: expected an integer from 1 to 1000000, got -5");
  CHECK(error_of(R"({"failover": {"fail_threshold": 0}})") ==
        "t.json: failover.fail_threshold: expected an integer from 1 to 1000, got 0");
  CHECK(error_of(R"({"failover": {"recover_threshold": 0}})") ==
        "t.json: failover.recover_threshold: expected an integer from 1 to 1000, got 0");
  CHECK(error_of(R"({"failover": {"interval_ms": null}})") ==
        "t.json: failover.interval_ms: expected an integer from 1 to 3600000, got null");
  CHECK(error_of(R"({"http": {"max_connections": true}})") ==
        "t.json: http.max_connections: expected an integer from 1 to 1000000, got true");
  CHECK(error_of(R"({"database": {"write_stall_ms": 50}})") ==
        "t.json: database.write_stall_ms: expected an integer from 100 to 600000, got 50");
  CHECK(error_of(R"({"risk": {"market_protection_bps": 0}})") ==
        "t.json: risk.market_protection_bps: expected an integer from 1 to 5000, got 0");
}

TEST_CASE("related values must be consistent") {
  CHECK(error_of(R"({"failover": {"interval_ms": 1000, "timeout_ms": 1000}})") ==
        "t.json: failover.timeout_ms: must be less than failover.interval_ms (1000)");
  CHECK(error_of(R"({"failover": {"interval_ms": 500}})") ==
        "t.json: failover.timeout_ms: must be less than failover.interval_ms (500)");
  CHECK(error_of(R"({"exchange": {"reconnect_min_ms": 2000, "reconnect_max_ms": 1000}})") ==
        "t.json: exchange.reconnect_max_ms: must be at least exchange.reconnect_min_ms (2000)");
  CHECK(error_of(R"({"database": {"write_queue_limit": 10}})") ==
        "t.json: database.write_batch_max: must not exceed database.write_queue_limit (10)");
  CHECK(error_of(R"({"session": {"idle_timeout_s": 3600, "absolute_timeout_s": 600}})") ==
        "t.json: session.absolute_timeout_s: must be at least session.idle_timeout_s (3600)");
  CHECK(error_of(R"({"http": {"tls_cert": "c.pem"}})") ==
        "t.json: http.tls_key: required when http.tls_cert is set");
  CHECK(error_of(R"({"http": {"tls_key": "k.pem"}})") ==
        "t.json: http.tls_cert: required when http.tls_key is set");
  CHECK(error_of(R"({"exchange": {"sessions": {"market_data": {"target_comp_id": "EXCH-DC"}}}})") ==
        "t.json: exchange.sessions.market_data: has the same sender_comp_id and target_comp_id "
        "as exchange.sessions.drop_copy");
}

TEST_CASE("URLs must use an accepted scheme") {
  CHECK(error_of(R"({"failover": {"probes": ["https://a/health", "ftp://b/health"]}})") ==
        "t.json: failover.probes[1]: expected a URL starting with http:// or https://, got "
        "\"ftp://b/health\"");
  CHECK(error_of(R"({"failover": {"probes": ["http://"]}})") ==
        "t.json: failover.probes[0]: nothing after 'http://'");
  CHECK(error_of(R"({"failover": {"probes": ["http://a b/"]}})") ==
        "t.json: failover.probes[0]: a URL must not contain spaces or control characters");
  CHECK(error_of(R"({"failover": {"probes": "http://a/"}})") ==
        "t.json: failover.probes: expected an array of strings, got the string \"http://a/\"");
  CHECK(error_of(R"({"failover": {"probes": [1]}})") ==
        "t.json: failover.probes[0]: expected a string, got 1");
  CHECK(error_of(R"({"database": {"url": "postgres://u:secret@h/db"}})") ==
        "t.json: database.url: expected a URL starting with sqlite3:// or mysql://, got "
        "\"postgres://u:***@h/db\"");
  CHECK(error_of(R"({"notify": {"amqp_url": "http://mq/"}})") ==
        "t.json: notify.amqp_url: expected a URL starting with amqp:// or amqps://, got "
        "\"http://mq/\"");
  CHECK(error_of(R"({"http": {"public_url": "http://backup.example"}})") ==
        "t.json: http.public_url: expected a URL starting with https://, got "
        "\"http://backup.example\"");
}

TEST_CASE("enumerated values must be one of the listed words") {
  CHECK(error_of(R"({"notify": {"sink": "kafka"}})") ==
        "t.json: notify.sink: expected file or amqp, got \"kafka\"");
  CHECK(error_of(R"({"log": {"level": "verbose"}})") ==
        "t.json: log.level: expected trace, debug, info, warn or error, got \"verbose\"");
  CHECK(error_of(R"({"log": {"format": "xml"}})") ==
        "t.json: log.format: expected text or json, got \"xml\"");
  CHECK(error_of(R"({"failover": {"auto_activate": "yes"}})") ==
        "t.json: failover.auto_activate: expected true or false, got the string \"yes\"");
}

TEST_CASE("CompIDs must be printable ASCII without '=' or spaces") {
  CHECK(error_of(R"({"exchange": {"sessions": {"drop_copy": {"sender_comp_id": ""}}}})") ==
        "t.json: exchange.sessions.drop_copy.sender_comp_id: a CompID must not be empty");
  CHECK(error_of(R"({"exchange": {"sessions": {"drop_copy": {"target_comp_id": "A=B"}}}})") ==
        "t.json: exchange.sessions.drop_copy.target_comp_id: a CompID must be printable ASCII "
        "without spaces or '=', got \"A=B\"");
  CHECK(
      error_of(R"({"exchange": {"sessions": {"order_entry": {"target_comp_id": "A\u0001B"}}}})") ==
      "t.json: exchange.sessions.order_entry.target_comp_id: a CompID must be printable ASCII "
      "without spaces or '=', got \"A\\x01B\"");
  CHECK(error_of(R"({"exchange": {"sessions": {"order_entry": {"sender_comp_id": "A B"}}}})") ==
        "t.json: exchange.sessions.order_entry.sender_comp_id: a CompID must be printable ASCII "
        "without spaces or '=', got \"A B\"");
}

TEST_CASE("hosts must be host names or IP addresses") {
  CHECK(error_of(R"({"exchange": {"host": "::1"}})") == "accepted");
  CHECK(error_of(R"({"exchange": {"host": ""}})") ==
        "t.json: exchange.host: expected a host name or IP address, got an empty string");
  CHECK(error_of(R"({"exchange": {"sessions": {"order_entry": {"host": "a..b"}}}})") ==
        "t.json: exchange.sessions.order_entry.host: 'a..b' is not a valid host name or IP "
        "address");
}

TEST_CASE("paths must be non-empty and without control characters") {
  CHECK(error_of(R"({"notify": {"file": ""}})") ==
        "t.json: notify.file: expected a path, got an empty string");
  CHECK(error_of(R"({"http": {"static_dir": "a\nb"}})") ==
        "t.json: http.static_dir: a path must not contain control characters");
  const std::string long_socket(108, 's');
  CHECK(error_of(R"({"admin": {"socket": ")" + long_socket + "\"}}") ==
        "t.json: admin.socket: longer than 107 bytes, the limit for a Unix socket path");
}

TEST_CASE("allow_from entries must be valid CIDRs") {
  CHECK(error_of(R"({"admin": {"allow_from": ["10.0.0.0/33"]}})") ==
        "t.json: admin.allow_from[0]: prefix length must be an integer from 0 to 32");
  CHECK(error_of(R"({"admin": {"allow_from": ["::/129"]}})") ==
        "t.json: admin.allow_from[0]: prefix length must be an integer from 0 to 128");
  CHECK(error_of(R"({"admin": {"allow_from": ["10.0.0.0/8", "10.0.0.1/8"]}})") ==
        "t.json: admin.allow_from[1]: host bits are set (did you mean \"10.0.0.0/8\"?)");
  CHECK(error_of(R"({"admin": {"allow_from": ["intranet/8"]}})") ==
        "t.json: admin.allow_from[0]: 'intranet' is not an IPv4 or IPv6 address");
  CHECK(error_of(R"({"admin": {"allow_from": ["10.0.0.0/"]}})") ==
        "t.json: admin.allow_from[0]: prefix length must be an integer from 0 to 32");
}

TEST_CASE("a section that is not an object is refused") {
  CHECK(error_of(R"({"http": []})") == "t.json: http: expected an object, got an array");
  CHECK(error_of(R"({"exchange": {"sessions": {"drop_copy": "IRRA"}}})") ==
        "t.json: exchange.sessions.drop_copy: expected an object, got the string \"IRRA\"");
}
