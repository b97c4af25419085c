// `irra ctl` over the admin Unix socket: status, the mirror as JSON lines, refusals, and the
// socket file's permissions.
#include "irra/trading/admin_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <future>

#include "engine_env.hpp"
#include "irra/trading/admin_client.hpp"

using namespace irra::domain;
using namespace irra::trading;
using namespace irra::trading::test;
using nlohmann::json;

namespace {

struct Reply {
  AdminClientResult result;
  std::vector<json> items;
};

// The client blocks, so it runs on its own thread while the reactor serves it.
Reply ask(EngineEnv& env, const std::filesystem::path& path, const json& request) {
  auto f = std::async(std::launch::async, [&] {
    Reply r;
    r.result = admin_request(path, request, [&](const json& item) { r.items.push_back(item); });
    return r;
  });
  env.run_until([&] { return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
  return f.get();
}

}  // namespace

TEST_CASE("irra ctl round trip over the admin socket") {
  EngineEnv env;
  const auto path = env.dir() / "run" / "irra.sock";
  AdminSocket admin(env.strand(), env.engine(), path);
  admin.start();
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  env.on_strand([&] {
    env.engine().on_exec_report("DC", 1, fill_report("F1", "M1", Side::sell, 30, 30, 246000, 30));
    env.engine().on_exec_report("DC", 2,
                                fill_report("F2", "M2", Side::sell, 50, 50, 246000, 50, "C2"));
  });
  env.settle();

  const auto status = ask(env, path, {{"cmd", "status"}});
  REQUIRE(status.result.ok);
  REQUIRE(status.items.size() == 1);
  CHECK(status.items[0]["mode"] == "standby");
  CHECK(status.items[0]["trading_date"] == "2024-12-02");
  CHECK(status.items[0]["counts"]["trades"] == 2);
  CHECK(status.items[0]["exchange"]["DC"]["next_in_seq"] == 3);

  // Everyone's positions: C2 is flat now (omitted); C1 has two.
  const auto all = ask(env, path, {{"cmd", "positions"}});
  REQUIRE(all.result.ok);
  REQUIRE(all.items.size() == 2);
  for (const auto& p : all.items) {
    CHECK(p["ucc"] == "C1");
    CHECK(p["net_qty"] != 0);
    CHECK(p.contains("squareoff_qty"));
  }
  const auto orders = ask(env, path, {{"cmd", "orders"}, {"ucc", "C2"}});
  REQUIRE(orders.result.ok);
  REQUIRE(orders.items.size() == 1);
  CHECK(orders.items[0]["order_id"] == "M2");
  CHECK(orders.items[0]["ucc"] == "C2");
  const auto trades = ask(env, path, {{"cmd", "trades"}});
  REQUIRE(trades.items.size() == 2);
  CHECK(trades.items[1]["price"] == 2460);

  const auto activate = ask(env, path, {{"cmd", "activate"}, {"reason", "drill"}});
  CHECK_FALSE(activate.result.ok);
  CHECK(activate.result.error == "not_supported");
  const auto bogus = ask(env, path, {{"cmd", "rm -rf"}});
  CHECK(bogus.result.error == "unknown_command");

  // A second server on the same socket is refused; the live socket is left alone.
  AdminSocket second(env.strand(), env.engine(), path);
  CHECK_THROWS_WITH(second.start(), Catch::Contains("another server"));
  admin.stop();
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a stale admin socket left by a crash is replaced") {
  EngineEnv env;
  const auto path = env.dir() / "irra.sock";
  {  // a socket file nobody listens on any more
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ::close(fd);
  }
  REQUIRE(std::filesystem::is_socket(path));
  AdminSocket admin(env.strand(), env.engine(), path);
  admin.start();
  CHECK(ask(env, path, {{"cmd", "status"}}).result.ok);

  const auto file = env.dir() / "not-a-socket";
  { std::ofstream(file) << "keep me"; }
  AdminSocket wrong(env.strand(), env.engine(), file);
  CHECK_THROWS_WITH(wrong.start(), Catch::Contains("not a socket"));
  CHECK(std::filesystem::is_regular_file(file));
}
