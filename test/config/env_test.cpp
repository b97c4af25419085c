#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "error_of.hpp"

using irra::config::test::error_of;
using namespace irra::config;

TEST_CASE("an env: value is replaced by the environment variable and remembered") {
  ::setenv("IRRA_TEST_DB", "mysql://irra:s3cret@db:3306/irra", 1);
  ::setenv("IRRA_TEST_PROBE", "https://main.example/health", 1);
  const Config c = load_string(
      R"({"database": {"url": "env:IRRA_TEST_DB"},
          "failover": {"probes": ["http://a/h", "env:IRRA_TEST_PROBE"]}})",
      "t.json");
  CHECK(c.database.url == "mysql://irra:s3cret@db:3306/irra");
  CHECK(c.failover.probes[1] == "https://main.example/health");
  CHECK(c.from_env == std::set<std::string>{"database.url", "failover.probes[1]"});
}

TEST_CASE("an unset environment variable is refused naming the key and the variable") {
  ::unsetenv("IRRA_TEST_UNSET");
  CHECK(error_of(R"({"notify": {"amqp_url": "env:IRRA_TEST_UNSET"}})") ==
        "t.json: notify.amqp_url: environment variable IRRA_TEST_UNSET is not set");
  CHECK(error_of(R"({"admin": {"allow_from": ["env:IRRA_TEST_UNSET"]}})") ==
        "t.json: admin.allow_from[0]: environment variable IRRA_TEST_UNSET is not set");
}

TEST_CASE("a malformed environment variable name is refused") {
  CHECK(error_of(R"({"database": {"url": "env:"}})") ==
        "t.json: database.url: '' is not a valid environment variable name");
  CHECK(error_of(R"({"database": {"url": "env:A-B"}})") ==
        "t.json: database.url: 'A-B' is not a valid environment variable name");
}

TEST_CASE("an env-derived value is validated without being echoed") {
  ::setenv("IRRA_TEST_BAD_SINK", "hunter2", 1);
  CHECK(error_of(R"({"notify": {"sink": "env:IRRA_TEST_BAD_SINK"}})") ==
        "t.json: notify.sink: expected file or amqp, got \"hunter2\" (value taken from the "
        "environment)");
  ::setenv("IRRA_TEST_BAD_URL", "postgres://u:hunter2@h/db", 1);
  const std::string message = error_of(R"({"database": {"url": "env:IRRA_TEST_BAD_URL"}})");
  CHECK(message.find("hunter2") == std::string::npos);
  CHECK(message.find("database.url") != std::string::npos);
}

TEST_CASE("redacted_json hides env-derived values and URL passwords") {
  ::setenv("IRRA_TEST_DB", "mysql://irra:s3cret@db:3306/irra", 1);
  ::setenv("IRRA_TEST_HOST", "fix.internal", 1);
  const Config c = load_string(
      R"({"database": {"url": "env:IRRA_TEST_DB"},
          "exchange": {"host": "env:IRRA_TEST_HOST",
                       "sessions": {"order_entry": {"host": "oe.example"}}},
          "notify": {"amqp_url": "amqp://svc:pa@ss@mq:5672/"},
          "failover": {"probes": ["https://probe:pw@main.example/health"]}})",
      "t.json");
  const std::string text = c.redacted_json();
  CHECK(text.find("s3cret") == std::string::npos);
  CHECK(text.find("fix.internal") == std::string::npos);
  CHECK(text.find("pa@ss") == std::string::npos);
  CHECK(text.find(":pw@") == std::string::npos);
  const auto json = nlohmann::json::parse(text);
  CHECK(json["database"]["url"] == "***");
  CHECK(json["exchange"]["host"] == "***");
  CHECK(json["exchange"]["sessions"]["drop_copy"]["host"] == "***");
  CHECK(json["exchange"]["sessions"]["order_entry"]["host"] == "oe.example");
  CHECK(json["notify"]["amqp_url"] == "amqp://svc:***@mq:5672/");
  CHECK(json["failover"]["probes"][0] == "https://probe:***@main.example/health");
  CHECK(json["exchange"]["port"] == 9878);
}

TEST_CASE("redacted_json of the defaults hides the default AMQP password") {
  const auto json = nlohmann::json::parse(Config{}.redacted_json());
  CHECK(json["notify"]["amqp_url"] == "amqp://guest:***@127.0.0.1:5672/");
  CHECK(json["http"]["listen"] == "0.0.0.0:8443");
  CHECK(json["admin"]["allow_from"].size() == 5);
}

TEST_CASE("redacted_json loads back as the same configuration when nothing is secret") {
  const Config c = load_string(R"({"notify": {"amqp_url": "amqp://mq:5672/"},
                                   "http": {"public_url": "https://b.example"}})",
                               "t.json");
  const Config again = load_string(c.redacted_json(), "again.json");
  CHECK(again.redacted_json() == c.redacted_json());
}
