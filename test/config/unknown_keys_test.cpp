#include <catch2/catch.hpp>

#include "error_of.hpp"

using irra::config::test::error_of;

TEST_CASE("an unknown top-level key is refused with a suggestion") {
  CHECK(error_of(R"({"exchang": {}})") ==
        "t.json: exchang: unknown key (did you mean 'exchange'?)");
}

TEST_CASE("an unknown key far from any known one gets no suggestion") {
  CHECK(error_of(R"({"zzzzzzzz": 1})") == "t.json: zzzzzzzz: unknown key");
}

TEST_CASE("an unknown key in every section is refused by its full dotted path") {
  CHECK(error_of(R"({"log": {"levl": "info"}})") ==
        "t.json: log.levl: unknown key (did you mean 'log.level'?)");
  CHECK(error_of(R"({"http": {"listen_addr": "1.2.3.4:1"}})") ==
        "t.json: http.listen_addr: unknown key");
  CHECK(error_of(R"({"database": {"uri": "sqlite3://x"}})") ==
        "t.json: database.uri: unknown key (did you mean 'database.url'?)");
  CHECK(error_of(R"({"exchange": {"sesions": {}}})") ==
        "t.json: exchange.sesions: unknown key (did you mean 'exchange.sessions'?)");
  CHECK(error_of(R"({"failover": {"probe": []}})") ==
        "t.json: failover.probe: unknown key (did you mean 'failover.probes'?)");
  CHECK(error_of(R"({"notify": {"sinks": "file"}})") ==
        "t.json: notify.sinks: unknown key (did you mean 'notify.sink'?)");
  CHECK(error_of(R"({"admin": {"allow": []}})") == "t.json: admin.allow: unknown key");
  CHECK(error_of(R"({"metrics": {"listne": "1.2.3.4:5"}})") ==
        "t.json: metrics.listne: unknown key (did you mean 'metrics.listen'?)");
  CHECK(error_of(R"({"risk": {"otp_ttl": 300}})") ==
        "t.json: risk.otp_ttl: unknown key (did you mean 'risk.otp_ttl_s'?)");
  CHECK(error_of(R"({"session": {"idle_timeout": 60}})") ==
        "t.json: session.idle_timeout: unknown key (did you mean 'session.idle_timeout_s'?)");
}

TEST_CASE("an unknown key inside a FIX session is refused by its full dotted path") {
  CHECK(error_of(R"({"exchange": {"sessions": {"drop_copy": {"sender_compid": "A"}}}})") ==
        "t.json: exchange.sessions.drop_copy.sender_compid: unknown key (did you mean "
        "'exchange.sessions.drop_copy.sender_comp_id'?)");
  CHECK(error_of(R"({"exchange": {"sessions": {"order_entr": {}}}})") ==
        "t.json: exchange.sessions.order_entr: unknown key (did you mean "
        "'exchange.sessions.order_entry'?)");
}
