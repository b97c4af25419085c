#include <catch2/catch.hpp>
#include <cstdlib>

#include "irra/config/config.hpp"

using namespace irra::config;
using namespace std::chrono_literals;

namespace {
const std::filesystem::path source_dir = IRRA_SOURCE_DIR;
}

TEST_CASE("config/demo.json loads and points at the bundled simulator") {
  const Config c = load_file(source_dir / "config/demo.json");
  CHECK(c.http.listen.to_string() == "127.0.0.1:8443");
  CHECK(c.http.tls_cert.empty());
  CHECK(c.database.url == "sqlite3://var/irra.db");
  CHECK(c.notify.sink == NotifySink::file);
  CHECK(c.exchange.drop_copy.host == "127.0.0.1");
  CHECK(c.exchange.drop_copy.port == 9878);
  CHECK(c.failover.probes == std::vector<std::string>{"http://127.0.0.1:9100/health"});
  CHECK(c.failover.interval == 1000ms);
  CHECK(c.failover.timeout == 800ms);
  CHECK(c.failover.fail_threshold == 3);
  CHECK(c.failover.recover_threshold == 5);
  CHECK(c.from_env.empty());
}

TEST_CASE("config/production.example.json loads once its secrets are in the environment") {
  ::setenv("IRRA_DB_URL", "mysql://irra:pw@db.internal:3306/irra", 1);
  ::setenv("IRRA_AMQP_URL", "amqps://irra:pw@mq.internal:5671/irra", 1);
  const Config c = load_file(source_dir / "config/production.example.json");
  CHECK(c.database.url == "mysql://irra:pw@db.internal:3306/irra");
  CHECK(c.notify.sink == NotifySink::amqp);
  CHECK(c.log.format == LogFormat::json);
  CHECK(c.http.tls_cert.string().rfind("/etc/irra/", 0) == 0);
  CHECK(c.exchange.order_entry.port == 9879);
  CHECK(c.from_env == std::set<std::string>{"database.url", "notify.amqp_url"});
}

TEST_CASE("config/production.example.json without its secrets names the missing variable") {
  ::unsetenv("IRRA_DB_URL");
  try {
    load_file(source_dir / "config/production.example.json");
    FAIL("loaded without IRRA_DB_URL");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("database.url: environment variable IRRA_DB_URL is not set") !=
          std::string::npos);
  }
}
