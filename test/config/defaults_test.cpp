#include <catch2/catch.hpp>

#include "irra/config/config.hpp"

using namespace irra::config;
using namespace std::chrono_literals;

TEST_CASE("an empty object yields every documented default") {
  const Config c = load_string("{}", "empty.json");
  CHECK(c.source == "empty.json");
  CHECK(c.log.level == "info");
  CHECK(c.log.format == LogFormat::text);

  CHECK(c.http.listen.host == "0.0.0.0");
  CHECK(c.http.listen.port == 8443);
  CHECK(c.http.tls_cert.empty());
  CHECK(c.http.tls_key.empty());
  CHECK(c.http.static_dir == "static");
  CHECK(c.http.public_url == "https://localhost:8443");
  CHECK(c.http.idle_timeout == 30s);
  CHECK(c.http.max_connections == 20000);

  CHECK(c.database.url == "sqlite3://var/irra.db");
  CHECK(c.database.write_queue_limit == 100000);
  CHECK(c.database.write_batch_max == 5000);
  CHECK(c.database.write_stall == 2000ms);

  CHECK(c.exchange.host == "127.0.0.1");
  CHECK(c.exchange.port == 9878);
  CHECK(c.exchange.heartbeat == 30s);
  CHECK(c.exchange.order_rate_limit == 100);
  CHECK(c.exchange.reconnect_min == 500ms);
  CHECK(c.exchange.reconnect_max == 10000ms);
  CHECK_FALSE(c.exchange.tls);
  CHECK(c.exchange.drop_copy.sender_comp_id == "IRRA");
  CHECK(c.exchange.drop_copy.target_comp_id == "EXCH-DC");
  CHECK(c.exchange.order_entry.sender_comp_id == "IRRA");
  CHECK(c.exchange.order_entry.target_comp_id == "EXCH-OE");
  CHECK(c.exchange.market_data.sender_comp_id == "IRRA");
  CHECK(c.exchange.market_data.target_comp_id == "EXCH-MD");
  for (const auto* s : {&c.exchange.drop_copy, &c.exchange.order_entry, &c.exchange.market_data}) {
    CHECK(s->host == "127.0.0.1");
    CHECK(s->port == 9878);
  }

  CHECK(c.failover.probes.empty());
  CHECK(c.failover.interval == 1000ms);
  CHECK(c.failover.timeout == 800ms);
  CHECK(c.failover.fail_threshold == 3);
  CHECK(c.failover.recover_threshold == 5);
  CHECK(c.failover.auto_activate);

  CHECK(c.notify.sink == NotifySink::file);
  CHECK(c.notify.file == "var/notifications.jsonl");
  CHECK(c.notify.amqp_url == "amqp://guest:guest@127.0.0.1:5672/");

  CHECK(c.admin.socket == "var/irra.sock");
  std::vector<std::string> allow;
  for (const auto& cidr : c.admin.allow_from) allow.push_back(cidr.to_string());
  CHECK(allow == std::vector<std::string>{"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12",
                                          "192.168.0.0/16"});

  CHECK(c.metrics.listen.host == "127.0.0.1");
  CHECK(c.metrics.listen.port == 9464);
  CHECK(c.risk.market_protection_bps == 200);
  CHECK(c.risk.otp_ttl == 300s);
  CHECK(c.session.idle_timeout == 1800s);
  CHECK(c.session.absolute_timeout == 43200s);
  CHECK(c.from_env.empty());
}

TEST_CASE("a default-constructed Config equals the loaded defaults") {
  const Config loaded = load_string("{}", "x");
  Config built;
  CHECK(built.redacted_json() == loaded.redacted_json());
}

TEST_CASE("every contract key is read") {
  const Config c = load_string(R"({
    "http": {"listen": "[::1]:9443", "tls_cert": "/etc/irra/c.pem", "tls_key": "/etc/irra/k.pem"},
    "database": {"url": "mysql://irra:pw@db.local:3306/irra"},
    "exchange": {"host": "fix.example", "port": 7001, "heartbeat_s": 10, "order_rate_limit": 250,
      "sessions": {
        "drop_copy": {"sender_comp_id": "B-DC", "target_comp_id": "X-DC"},
        "order_entry": {"sender_comp_id": "B-OE", "target_comp_id": "X-OE", "host": "oe.example", "port": 7002},
        "market_data": {"sender_comp_id": "B-MD", "target_comp_id": "X-MD", "port": 7003}}},
    "failover": {"probes": ["https://main.example/health", "http://10.0.0.5:81/ping"],
      "interval_ms": 2000, "timeout_ms": 1500, "fail_threshold": 4, "recover_threshold": 6,
      "auto_activate": false},
    "notify": {"sink": "amqp", "file": "/tmp/n.jsonl", "amqp_url": "amqps://u:p@mq.example:5671/vh"},
    "admin": {"socket": "/run/irra/irra.sock", "allow_from": ["10.1.0.0/16", "fd00::/8"]},
    "metrics": {"listen": "0.0.0.0:9100"}
  })",
                               "full.json");
  CHECK(c.http.listen.host == "::1");
  CHECK(c.http.listen.port == 9443);
  CHECK(c.http.listen.to_string() == "[::1]:9443");
  CHECK(c.http.public_url == "https://[::1]:9443");
  CHECK(c.http.tls_cert == "/etc/irra/c.pem");
  CHECK(c.http.tls_key == "/etc/irra/k.pem");
  CHECK(c.database.url == "mysql://irra:pw@db.local:3306/irra");
  CHECK(c.exchange.host == "fix.example");
  CHECK(c.exchange.port == 7001);
  CHECK(c.exchange.heartbeat == 10s);
  CHECK(c.exchange.order_rate_limit == 250);
  CHECK(c.exchange.drop_copy.sender_comp_id == "B-DC");
  CHECK(c.exchange.drop_copy.target_comp_id == "X-DC");
  CHECK(c.exchange.drop_copy.host == "fix.example");
  CHECK(c.exchange.drop_copy.port == 7001);
  CHECK(c.exchange.order_entry.sender_comp_id == "B-OE");
  CHECK(c.exchange.order_entry.target_comp_id == "X-OE");
  CHECK(c.exchange.order_entry.host == "oe.example");
  CHECK(c.exchange.order_entry.port == 7002);
  CHECK(c.exchange.market_data.sender_comp_id == "B-MD");
  CHECK(c.exchange.market_data.target_comp_id == "X-MD");
  CHECK(c.exchange.market_data.host == "fix.example");
  CHECK(c.exchange.market_data.port == 7003);
  CHECK(c.failover.probes ==
        std::vector<std::string>{"https://main.example/health", "http://10.0.0.5:81/ping"});
  CHECK(c.failover.interval == 2000ms);
  CHECK(c.failover.timeout == 1500ms);
  CHECK(c.failover.fail_threshold == 4);
  CHECK(c.failover.recover_threshold == 6);
  CHECK_FALSE(c.failover.auto_activate);
  CHECK(c.notify.sink == NotifySink::amqp);
  CHECK(c.notify.file == "/tmp/n.jsonl");
  CHECK(c.notify.amqp_url == "amqps://u:p@mq.example:5671/vh");
  CHECK(c.admin.socket == "/run/irra/irra.sock");
  REQUIRE(c.admin.allow_from.size() == 2);
  CHECK(c.admin.allow_from[0].to_string() == "10.1.0.0/16");
  CHECK(c.admin.allow_from[1].to_string() == "fd00::/8");
  CHECK(c.metrics.listen.host == "0.0.0.0");
  CHECK(c.metrics.listen.port == 9100);
}

TEST_CASE("every extra key is read") {
  const Config c = load_string(R"({
    "log": {"level": "debug", "format": "json"},
    "http": {"static_dir": "/usr/share/irra/static", "public_url": "https://backup.example/",
             "idle_timeout_s": 15, "max_connections": 500},
    "database": {"write_queue_limit": 1000, "write_batch_max": 100, "write_stall_ms": 500},
    "exchange": {"reconnect_min_ms": 100, "reconnect_max_ms": 2000, "tls": true},
    "risk": {"market_protection_bps": 50, "otp_ttl_s": 120},
    "session": {"idle_timeout_s": 600, "absolute_timeout_s": 3600}
  })",
                               "extra.json");
  CHECK(c.log.level == "debug");
  CHECK(c.log.format == LogFormat::json);
  CHECK(c.http.static_dir == "/usr/share/irra/static");
  CHECK(c.http.public_url == "https://backup.example");  // trailing '/' dropped
  CHECK(c.http.idle_timeout == 15s);
  CHECK(c.http.max_connections == 500);
  CHECK(c.database.write_queue_limit == 1000);
  CHECK(c.database.write_batch_max == 100);
  CHECK(c.database.write_stall == 500ms);
  CHECK(c.exchange.reconnect_min == 100ms);
  CHECK(c.exchange.reconnect_max == 2000ms);
  CHECK(c.exchange.tls);
  CHECK(c.risk.market_protection_bps == 50);
  CHECK(c.risk.otp_ttl == 120s);
  CHECK(c.session.idle_timeout == 600s);
  CHECK(c.session.absolute_timeout == 3600s);
}

TEST_CASE("public_url is derived from a specific listen host") {
  const Config c = load_string(R"({"http": {"listen": "192.0.2.7:443"}})", "x");
  CHECK(c.http.public_url == "https://192.0.2.7:443");
}

TEST_CASE("an explicit empty probe list disables probing") {
  const Config c = load_string(R"({"failover": {"probes": []}})", "x");
  CHECK(c.failover.probes.empty());
}
