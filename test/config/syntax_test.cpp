#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "error_of.hpp"

using irra::config::test::error_of;
using namespace irra::config;

TEST_CASE("a JSON syntax error names its line and column") {
  CHECK(error_of("{\n  \"http\": {\n    \"listen\": \"1.2.3.4:5\",\n  }\n}") ==
        "t.json: line 4, column 3: invalid JSON: syntax error while parsing object key - "
        "unexpected '}'; expected string literal");
  CHECK(error_of("") ==
        "t.json: line 1, column 1: invalid JSON: syntax error while parsing value - unexpected "
        "end of input; expected '[', '{', or a literal");
}

TEST_CASE("a number beyond the range of a double is refused as invalid JSON") {
  CHECK(error_of(R"({"exchange": {"port": 1e999}})") ==
        "t.json: invalid JSON: number overflow parsing '1e999'");
}

TEST_CASE("a syntax error message stays on one printable line") {
  const std::string message = error_of("{\"a\":\x01\n\x02}");
  CHECK(message.find('\n') == std::string::npos);
  for (char c : message) CHECK((c >= 0x20 && c < 0x7F));
}

TEST_CASE("a document that is not an object is refused") {
  CHECK(error_of("[]") == "t.json: the configuration must be a JSON object");
  CHECK(error_of("42") == "t.json: the configuration must be a JSON object");
}

TEST_CASE("a duplicate key is refused by its path") {
  CHECK(error_of(R"({"http": {"listen": "a:1", "listen": "b:2"}})") ==
        "t.json: http.listen: duplicate key");
  CHECK(error_of(R"({"admin": {"allow_from": []}, "admin": {}})") ==
        "t.json: admin: duplicate key");
}

TEST_CASE("nesting deeper than 16 levels is refused") {
  std::string deep = "{\"a\":" + std::string(20, '[') + std::string(20, ']') + "}";
  CHECK(error_of(deep) ==
        "t.json: a[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nested "
        "deeper than 16 levels");
}

TEST_CASE("load_file reports a missing file with its path") {
  try {
    load_file("/nonexistent/irra.json");
    FAIL("accepted a missing file");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) ==
          "/nonexistent/irra.json: cannot open the configuration file: No such file or directory");
  }
}

TEST_CASE("load_file names the file in its errors and refuses a huge file") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("irra_config_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto small = dir / "bad.json";
  { std::ofstream(small) << R"({"notify": {"sink": "pigeon"}})"; }
  try {
    load_file(small);
    FAIL("accepted a bad sink");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) ==
          small.string() + ": notify.sink: expected file or amqp, got \"pigeon\"");
  }
  const auto big = dir / "big.json";
  {
    std::ofstream out(big);
    out << "{" << std::string(2 << 20, ' ') << "}";
  }
  try {
    load_file(big);
    FAIL("accepted a 2 MiB file");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) ==
          big.string() + ": larger than 1 MiB; this is not a configuration file");
  }
  std::filesystem::remove_all(dir);
}
