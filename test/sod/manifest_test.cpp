#include "irra/sod/manifest.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using irra::sod::parse_manifest;
using Errors = std::vector<std::string>;

namespace {

const std::string kSha(64, 'b');

std::string files_json(const std::string& extra = "") {
  std::string out = "{";
  for (const auto name : irra::sod::kDumpFiles) {
    out += "\"" + std::string(name) + "\": {\"rows\": 2, \"sha256\": \"" + kSha + "\"},";
  }
  return out + extra + "\"x\": 0}";
}

std::string manifest(const std::string& date, const std::string& generated,
                     const std::string& files) {
  return "{\"trading_date\": \"" + date + "\", \"generated_at\": \"" + generated +
         "\", \"files\": " + files + "}";
}

}  // namespace

TEST_CASE("a complete manifest is parsed", "[sod][manifest]") {
  std::string files = files_json();
  files.replace(files.find(",\"x\": 0"), 7, "");
  const std::string text = manifest("2024-12-02", "2024-12-01T18:30:00.5Z", files);
  Errors errors;
  const auto m = parse_manifest(text, errors);
  REQUIRE(errors.empty());
  REQUIRE(m.has_value());
  CHECK(m->trading_date == "2024-12-02");
  CHECK(m->generated_at == "2024-12-01T18:30:00.5Z");
  REQUIRE(m->files.size() == 5);
  CHECK(m->file("funds.csv")->rows == 2);
  CHECK(m->file("funds.csv")->sha256 == kSha);
  CHECK(m->file("trades.csv") == nullptr);
  CHECK(m->sha256.size() == 64);
}

TEST_CASE("an upper-case checksum in the manifest is accepted", "[sod][manifest]") {
  std::string files = files_json();
  files.replace(files.find(",\"x\": 0"), 7, "");
  const std::string upper(64, 'B');
  files.replace(files.find(kSha), 64, upper);
  Errors errors;
  const auto m = parse_manifest(manifest("2024-12-02", "2024-12-01T18:30:00Z", files), errors);
  REQUIRE(m.has_value());
  CHECK(m->files[0].sha256 == kSha);
}

TEST_CASE("manifest errors name the key at fault", "[sod][manifest]") {
  Errors errors;
  CHECK_FALSE(parse_manifest(manifest("2024-13-01", "yesterday", files_json()), errors));
  CHECK(errors == Errors{
                      "manifest.json: trading_date: '2024-13-01' is not a date (YYYY-MM-DD)",
                      "manifest.json: generated_at: 'yesterday' is not an ISO-8601 UTC time "
                      "(YYYY-MM-DDTHH:MM:SSZ)",
                      "manifest.json: files: unexpected entry 'x'",
                  });
}

TEST_CASE("bad row counts and checksums in the manifest are refused", "[sod][manifest]") {
  const std::string files = "{\"clients.csv\": {\"rows\": -1, \"sha256\": \"" + kSha +
                            "\"}, \"instruments.csv\": {\"rows\": 1.5, \"sha256\": \"" + kSha +
                            "\"}, \"positions.csv\": {\"rows\": 1, \"sha256\": \"" +
                            std::string(64, 'g') +
                            "\"}, \"holdings.csv\": {\"rows\": 1}, \"funds.csv\": []}";
  Errors errors;
  CHECK_FALSE(parse_manifest(manifest("2024-12-02", "2024-12-01T18:30:00Z", files), errors));
  CHECK(errors ==
        Errors{"manifest.json: files.clients.csv: rows: missing or not a non-negative integer",
               "manifest.json: files.instruments.csv: rows: missing or not a non-negative integer",
               "manifest.json: files.positions.csv: sha256: missing or not 64 hex digits",
               "manifest.json: files.holdings.csv: sha256: missing or not 64 hex digits",
               "manifest.json: files.funds.csv: not an object"});
}

TEST_CASE("a manifest that is not JSON or not an object is refused", "[sod][manifest]") {
  Errors errors;
  CHECK_FALSE(parse_manifest("{\"trading_date\": ", errors));
  CHECK_FALSE(parse_manifest("[1, 2]", errors));
  CHECK_FALSE(parse_manifest("{}", errors));
  CHECK(errors == Errors{"manifest.json: not valid JSON", "manifest.json: must be a JSON object",
                         "manifest.json: trading_date: missing or not a string",
                         "manifest.json: generated_at: missing or not a string",
                         "manifest.json: files: missing or not an object"});
}
