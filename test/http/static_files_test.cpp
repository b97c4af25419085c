// Static files: types, ETag/304, directories, HEAD, and every traversal trick refused.
#include "irra/http/static_files.hpp"

#include <catch2/catch.hpp>
#include <fstream>

#include "test_support.hpp"

using namespace irra::http;
using namespace irra::http::test;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

struct Site {
  TempDir dir{"static"};
  fs::path root = dir.path() / "www";
  Site() {
    write_file(root / "index.html", "<h1>IRRA</h1>");
    write_file(root / "app.js", "console.log(1)");
    write_file(root / "style.css", "body{}");
    write_file(root / "logo.svg", "<svg/>");
    write_file(root / "admin" / "index.html", "<h1>admin</h1>");
    write_file(root / ".hidden", "hidden");
    write_file(dir.path() / "secret.txt", "TOP-SECRET");
    fs::create_symlink(dir.path() / "secret.txt", root / "link-out.txt");
    fs::create_directory_symlink(dir.path(), root / "dir-out");
  }
};

std::shared_ptr<Router> static_router(const fs::path& root) {
  auto files = std::make_shared<StaticFiles>(root);
  auto router = std::make_shared<Router>();
  router->set_fallback([files](const Request& req, Responder res) { res.send(files->serve(req)); });
  return router;
}

}  // namespace

TEST_CASE("static files are served with the content type of their extension", "[http][static]") {
  Site site;
  TestServer server(static_router(site.root));
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  auto res = client.get("/app.js");
  CHECK(res.result() == bhttp::status::ok);
  CHECK(res.body() == "console.log(1)");
  CHECK(res[bhttp::field::content_type] == "text/javascript; charset=utf-8");
  CHECK(client.get("/style.css")[bhttp::field::content_type] == "text/css; charset=utf-8");
  CHECK(client.get("/logo.svg")[bhttp::field::content_type] == "image/svg+xml");
  res = client.get("/");
  CHECK(res.body() == "<h1>IRRA</h1>");
  CHECK(res[bhttp::field::content_type] == "text/html; charset=utf-8");
  CHECK(client.get("/admin/").body() == "<h1>admin</h1>");
  res = client.get("/admin");
  CHECK(res.result() == bhttp::status::moved_permanently);
  CHECK(res[bhttp::field::location] == "/admin/");
  CHECK(client.get("/missing.js").result() == bhttp::status::not_found);
}

TEST_CASE("a matching If-None-Match gets 304 without a body", "[http][static]") {
  Site site;
  TestServer server(static_router(site.root));
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  const auto first = client.get("/app.js");
  const std::string etag(first[bhttp::field::etag]);
  REQUIRE(etag.size() > 2);
  CHECK(first[bhttp::field::cache_control] == "no-cache");
  auto res = client.request(bhttp::verb::get, "/app.js", {}, {{"If-None-Match", etag}});
  CHECK(res.result() == bhttp::status::not_modified);
  CHECK(res.body().empty());
  CHECK(res[bhttp::field::etag] == etag);
  res = client.request(bhttp::verb::get, "/app.js", {}, {{"If-None-Match", "\"other\""}});
  CHECK(res.result() == bhttp::status::ok);
  CHECK(client.get("/style.css")[bhttp::field::etag] != etag);  // differs with content
}

TEST_CASE("HEAD of a static file gives its headers and no body", "[http][static]") {
  Site site;
  TestServer server(static_router(site.root));
  Client client(server.port());
  REQUIRE_FALSE(client.connect());
  const auto res = client.request(bhttp::verb::head, "/app.js");
  CHECK(res.result() == bhttp::status::ok);
  CHECK(res[bhttp::field::content_length] == "14");
  CHECK(res.body().empty());
  CHECK(client.get("/app.js").body() == "console.log(1)");
}

TEST_CASE("path traversal attempts never reveal files outside the root", "[http][static]") {
  Site site;
  TestServer server(static_router(site.root));
  for (const std::string target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/admin/../../secret.txt",
        "/..%2fsecret.txt", "/..%5csecret.txt", "/link-out.txt", "/dir-out/secret.txt",
        "/secret.txt%00.html", "/.hidden", "/./index.html", "//etc/passwd", "/admin//index.html"}) {
    INFO(target);
    Client client(server.port());
    REQUIRE_FALSE(client.connect());
    const auto res = client.get(target);
    CHECK((res.result() == bhttp::status::not_found || res.result() == bhttp::status::bad_request));
    CHECK(res.body().find("TOP-SECRET") == std::string::npos);
    CHECK(res.body().find("hidden") == std::string::npos);
  }
}

TEST_CASE("content types cover the web UI's file kinds", "[http][static]") {
  CHECK(StaticFiles::content_type_for(".HTML") == "text/html; charset=utf-8");
  CHECK(StaticFiles::content_type_for(".woff2") == "font/woff2");
  CHECK(StaticFiles::content_type_for(".png") == "image/png");
  CHECK(StaticFiles::content_type_for(".json") == "application/json");
  CHECK(StaticFiles::content_type_for(".exe") == "application/octet-stream");
}
