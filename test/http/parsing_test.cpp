// The pure parsers and builders: percent-decoding, targets, queries, cookies, JSON bodies.
#include <catch2/catch.hpp>

#include "irra/http/cookies.hpp"
#include "irra/http/json_body.hpp"
#include "irra/http/url.hpp"

using namespace irra::http;

TEST_CASE("percent-decoding rejects malformed escapes and NUL", "[http][parse]") {
  CHECK(percent_decode("a%20b") == "a b");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("a+b", false) == "a+b");
  CHECK_FALSE(percent_decode("%"));
  CHECK_FALSE(percent_decode("%4"));
  CHECK_FALSE(percent_decode("%zz"));
  CHECK_FALSE(percent_decode("a%00b"));
}

TEST_CASE("paths refuse encoded separators; targets must be origin-form", "[http][parse]") {
  CHECK(decode_path("/a/%2e%2e/b") == "/a/../b");  // decoded; the router and files judge it
  CHECK_FALSE(decode_path("/a%2fb"));
  CHECK_FALSE(decode_path("/a%5Cb"));
  CHECK_FALSE(decode_path("/a\\b"));
  CHECK_FALSE(split_target("http://x/y"));
  CHECK_FALSE(split_target("*"));
  const auto parts = split_target("/p/q?x=1&y=2#frag");
  REQUIRE(parts);
  CHECK(parts->path == "/p/q");
  CHECK(parts->query == "x=1&y=2");
}

TEST_CASE("query strings decode names and values and are bounded", "[http][parse]") {
  const auto q = parse_query("q=a+b%21&&flag&x=");
  REQUIRE(q);
  REQUIRE(q->size() == 3);
  CHECK((*q)[0] == std::pair<std::string, std::string>{"q", "a b!"});
  CHECK((*q)[1] == std::pair<std::string, std::string>{"flag", ""});
  CHECK((*q)[2] == std::pair<std::string, std::string>{"x", ""});
  CHECK_FALSE(parse_query("a=%zz"));
  std::string many;
  for (int i = 0; i < 65; ++i) many += "a=1&";
  CHECK_FALSE(parse_query(many));
}

TEST_CASE("cookie headers parse into name/value pairs, skipping junk", "[http][parse]") {
  Cookies cookies;
  parse_cookie_header(R"(a=1; __Host-irra_session=tok; junk; b="quoted"; bad name=x;c=)", cookies);
  REQUIRE(cookies.size() == 4);
  CHECK(cookies[0] == std::pair<std::string_view, std::string_view>{"a", "1"});
  CHECK(cookies[1].second == "tok");
  CHECK(cookies[2] == std::pair<std::string_view, std::string_view>{"b", "quoted"});
  CHECK(cookies[3] == std::pair<std::string_view, std::string_view>{"c", ""});
  Cookies bounded;
  parse_cookie_header("a=1; b=2; c=3", bounded, 2);
  CHECK(bounded.size() == 2);
}

TEST_CASE("__Host- cookies are always Secure, Path=/ and without Domain", "[http][parse]") {
  CookieOptions sloppy;
  sloppy.secure = false;
  sloppy.path = "/api";
  sloppy.domain = "example.com";
  CHECK(build_set_cookie("__Host-irra_session", "abc", sloppy) ==
        "__Host-irra_session=abc; Path=/; Secure; HttpOnly; SameSite=Strict");
  CookieOptions timed;
  timed.max_age = std::chrono::seconds(1800);
  CHECK(build_set_cookie("__Host-irra_staff", "t", timed) ==
        "__Host-irra_staff=t; Path=/; Max-Age=1800; Secure; HttpOnly; SameSite=Strict");
  CHECK(build_clear_cookie("__Host-irra_session") ==
        "__Host-irra_session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
  CHECK_THROWS_AS(build_set_cookie("bad name", "v"), std::invalid_argument);
  CHECK_THROWS_AS(build_set_cookie("n", "v;injected=1"), std::invalid_argument);
}

TEST_CASE("JSON bodies: content type, syntax and nesting depth", "[http][parse]") {
  Message msg{boost::beast::http::verb::post, "/api/v1/x", 11};
  msg.set(boost::beast::http::field::content_type, "Application/JSON; charset=utf-8");
  msg.body() = R"({"instrument":"NSE:RELIANCE","qty":10})";
  {
    const Request req(msg, {});
    const auto body = parse_json_body(req);
    REQUIRE(body);
    CHECK(body.value["qty"] == 10);
  }
  msg.body() = std::string(100, '[') + std::string(100, ']');
  {
    const Request req(msg, {});
    const auto body = parse_json_body(req);
    REQUIRE_FALSE(body);
    CHECK(body.error->result() == Status::bad_request);
    CHECK(body.error->body().find("bad_json") != std::string::npos);
  }
  msg.body() = "";
  CHECK_FALSE(parse_json_body(Request(msg, {})));
  msg.set(boost::beast::http::field::content_type, "application/jsonx");
  msg.body() = "{}";
  const auto wrong = parse_json_body(Request(msg, {}));
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error->result() == Status::unsupported_media_type);
}
