#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "irra/notify/notifier.hpp"

namespace fs = std::filesystem;
using irra::notify::make_file_notifier;
using nlohmann::json;

namespace {

// A fresh folder under the temp dir, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() /
           ("irra_notify_test_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::vector<json> read_lines(const fs::path& file) {
  std::vector<json> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line));  // throws if not JSON
  return out;
}

}  // namespace

TEST_CASE("published messages appear as one JSON line each, with event_id and queue") {
  TempDir dir;
  const fs::path file = dir.path / "a" / "b" / "notifications.jsonl";
  auto n = make_file_notifier(file);
  REQUIRE(n->publish("irra.notifications", {{"type", "otp"}, {"ucc", "C1"}, {"otp", "123456"}}));
  REQUIRE(n->publish("irra.orders", {{"type", "order"}, {"event_id", "fixed-id"}}));
  n->stop();
  CHECK(n->backlog() == 0);

  const auto lines = read_lines(file);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["queue"] == "irra.notifications");
  CHECK(lines[0]["type"] == "otp");
  CHECK(lines[0]["otp"] == "123456");
  const std::string id = lines[0]["event_id"];
  CHECK(id.size() == 36);
  CHECK(id[14] == '4');  // UUID version 4
  CHECK(lines[1]["queue"] == "irra.orders");
  CHECK(lines[1]["event_id"] == "fixed-id");  // kept when the caller gave one

  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("an existing file is appended to and narrowed to mode 0600") {
  TempDir dir;
  const fs::path file = dir.path / "n.jsonl";
  { std::ofstream(file) << R"({"old":true})" << '\n'; }
  ::chmod(file.c_str(), 0644);
  auto n = make_file_notifier(file);
  REQUIRE(n->publish("irra.trades", {{"type", "trade"}}));
  n->stop();
  const auto lines = read_lines(file);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["old"] == true);
  CHECK(lines[1]["type"] == "trade");
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("a file that cannot be opened throws") {
  TempDir dir;
  CHECK_THROWS_AS(make_file_notifier(dir.path), std::runtime_error);  // a folder
  { std::ofstream(dir.path / "plain") << "x"; }
  CHECK_THROWS_AS(make_file_notifier(dir.path / "plain" / "sub" / "f.jsonl"), std::runtime_error);
  CHECK_THROWS_AS(make_file_notifier(dir.path / "ok.jsonl", 0), std::invalid_argument);
}

TEST_CASE("event ids are unique UUIDv4 strings") {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) {
    const auto id = irra::notify::new_event_id();
    REQUIRE(id.size() == 36);
    CHECK(id[8] == '-');
    CHECK(id[14] == '4');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);
    ids.insert(id);
  }
  CHECK(ids.size() == 10000);
}

TEST_CASE("messages from many threads are all written, each thread's in order") {
  TempDir dir;
  const fs::path file = dir.path / "n.jsonl";
  auto n = make_file_notifier(file);
  constexpr int threads = 8;
  constexpr int per_thread = 3000;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&n, t] {
      for (int i = 0; i < per_thread; ++i) {
        if (!n->publish("irra.orders", {{"thread", t}, {"seq", i}})) std::abort();
      }
    });
  }
  for (auto& th : pool) th.join();
  n->stop();
  CHECK(n->backlog() == 0);

  const auto lines = read_lines(file);
  REQUIRE(lines.size() == threads * per_thread);
  std::map<int, int> next;
  std::set<std::string> ids;
  for (const auto& line : lines) {
    const int t = line["thread"];
    const int seq = line["seq"];
    REQUIRE(seq == next[t]);
    next[t] = seq + 1;
    ids.insert(line["event_id"].get<std::string>());
  }
  CHECK(ids.size() == lines.size());
}

TEST_CASE("stop drains the queue, is idempotent, and publish after stop is refused") {
  TempDir dir;
  const fs::path file = dir.path / "n.jsonl";
  auto n = make_file_notifier(file);
  for (int i = 0; i < 20000; ++i) REQUIRE(n->publish("irra.trades", {{"seq", i}}));
  n->stop();
  CHECK(n->backlog() == 0);
  CHECK(read_lines(file).size() == 20000);
  n->stop();
  CHECK_FALSE(n->publish("irra.trades", {{"seq", -1}}));
  CHECK(read_lines(file).size() == 20000);
}

TEST_CASE("invalid messages are refused") {
  TempDir dir;
  auto n = make_file_notifier(dir.path / "n.jsonl");
  CHECK_FALSE(n->publish("", {{"type", "x"}}));
  CHECK_FALSE(n->publish("irra.orders", json::array({1, 2})));
  CHECK_FALSE(n->publish("irra.orders", "text"));
}

TEST_CASE("invalid UTF-8 in a field does not lose the message") {
  TempDir dir;
  const fs::path file = dir.path / "n.jsonl";
  auto n = make_file_notifier(file);
  REQUIRE(n->publish("irra.notifications", {{"name", std::string("bad\xff")}}));
  n->stop();
  const auto lines = read_lines(file);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["queue"] == "irra.notifications");
}

// A FIFO stands in for a stalled disk: writes go into the pipe but fdatasync always fails,
// so no batch ever completes and the backlog stays up.
TEST_CASE("a full queue refuses, and stop gives up at its deadline") {
  TempDir dir;
  const fs::path fifo = dir.path / "stalled";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  auto n = make_file_notifier(fifo, 3);
  CHECK(n->publish("irra.orders", {{"seq", 1}}));
  CHECK(n->publish("irra.orders", {{"seq", 2}}));
  CHECK(n->publish("irra.orders", {{"seq", 3}}));
  CHECK_FALSE(n->publish("irra.orders", {{"seq", 4}}));
  CHECK(n->backlog() == 3);

  const auto start = std::chrono::steady_clock::now();
  n->stop(std::chrono::milliseconds(200));
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took >= std::chrono::milliseconds(200));
  CHECK(took < std::chrono::seconds(3));
  CHECK(n->backlog() == 0);
  CHECK_FALSE(n->publish("irra.orders", {{"seq", 5}}));
  ::close(reader);
}
