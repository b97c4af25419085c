#include <catch2/catch.hpp>

#include "irra/store/database.hpp"

using irra::store::Backend;
using irra::store::BadDbUrl;
using irra::store::DbUrl;

TEST_CASE("a sqlite3 URL keeps its path as given") {
  const DbUrl rel = DbUrl::parse("sqlite3://var/irra.db");
  CHECK(rel.backend == Backend::sqlite3);
  CHECK(rel.soci_backend == "sqlite3");
  CHECK(rel.path == "var/irra.db");
  CHECK(rel.soci_connect == "db=var/irra.db");
  CHECK(rel.redacted == "sqlite3://var/irra.db");

  const DbUrl abs = DbUrl::parse("sqlite3:///srv/irra/irra.db");
  CHECK(abs.path == "/srv/irra/irra.db");

  const DbUrl spaced = DbUrl::parse("sqlite3://my data/irra.db");
  CHECK(spaced.soci_connect == "db=\"my data/irra.db\"");
}

TEST_CASE("a mysql URL is percent-decoded and translated for SOCI") {
  const DbUrl u = DbUrl::parse("mysql://irra%2Bapp:p%40ss%20w%27d@db.example:3307/irra_main");
  CHECK(u.backend == Backend::mysql);
  CHECK(u.soci_backend == "mysql");
  CHECK(u.user == "irra+app");
  CHECK(u.host == "db.example");
  CHECK(u.port == 3307);
  CHECK(u.database == "irra_main");
  CHECK(u.soci_connect.find("db='irra_main' user='irra+app' password='p@ss w\\'d' "
                            "host='db.example' port=3307 charset=utf8mb4") == 0);
}

TEST_CASE("a mysql URL without a port uses 3306 and may omit the password") {
  const DbUrl u = DbUrl::parse("mysql://reader@10.0.0.5/irra");
  CHECK(u.port == 3306);
  CHECK(u.soci_connect.find("password") == std::string::npos);
  CHECK(u.redacted == "mysql://reader@10.0.0.5:3306/irra");
}

TEST_CASE("a mysql URL accepts a bracketed IPv6 host") {
  const DbUrl u = DbUrl::parse("mysql://u:p@[::1]:3308/irra");
  CHECK(u.host == "::1");
  CHECK(u.port == 3308);
  CHECK(u.redacted == "mysql://u:***@[::1]:3308/irra");
}

TEST_CASE("the redacted URL and every error hide the password") {
  const DbUrl u = DbUrl::parse("mysql://irra:s3cretpw@127.0.0.1:3306/irra");
  CHECK(u.redacted == "mysql://irra:***@127.0.0.1:3306/irra");
  CHECK(u.redacted.find("s3cretpw") == std::string::npos);
  try {
    DbUrl::parse("mysql://irra:s3cretpw@127.0.0.1:notaport/irra");
    FAIL("accepted a bad port");
  } catch (const BadDbUrl& e) {
    CHECK(std::string(e.what()).find("s3cretpw") == std::string::npos);
    CHECK(std::string(e.what()).find("port") != std::string::npos);
  }
}

TEST_CASE("malformed database URLs are refused with a reason") {
  const char* bad[] = {
      "",
      "irra.db",
      "postgres://u:p@h/db",
      "sqlite3://",
      "sqlite3://a\"b.db",
      "sqlite3://irra.db?mode=ro",
      "mysql://host/db",
      "mysql://u:p@host",
      "mysql://u:p@host/",
      "mysql://:p@host/db",
      "mysql://u:p@/db",
      "mysql://u:p@:3306/db",
      "mysql://u:p@host:/db",
      "mysql://u:p@host:0/db",
      "mysql://u:p@host:65536/db",
      "mysql://u:p@host:12ab/db",
      "mysql://u:p@host:-1/db",
      "mysql://u:%zz@host/db",
      "mysql://u:%4@host/db",
      "mysql://u:%00@host/db",
      "mysql://u:p@host/db?ssl=1",
      "mysql://u:p@host/my db",
      "mysql://u:p@[::1/db",
      "mysql://u:p@host/db\n",
  };
  for (const char* url : bad) {
    INFO(url);
    CHECK_THROWS_AS(DbUrl::parse(url), BadDbUrl);
  }
  CHECK_THROWS_AS(DbUrl::parse(std::string(5000, 'a')), BadDbUrl);
  CHECK_THROWS_WITH(DbUrl::parse("postgres://u:p@h/db"), Catch::Contains("postgres"));
}
