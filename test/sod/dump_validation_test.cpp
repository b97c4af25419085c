#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "dump_fixture.hpp"
#include "irra/sod/dump.hpp"
#include "irra/sod/importer.hpp"

using irra::sod::test::DumpFiles;
using irra::sod::test::good_dump;
using irra::sod::test::TempDir;
using Errors = std::vector<std::string>;

namespace {

Errors errors_of(const DumpFiles& files) {
  TempDir dir;
  irra::sod::test::write_dump(dir.path(), files);
  const auto report = irra::sod::validate_dump(dir.path());
  CHECK(report.ok == report.errors.empty());
  return report.errors;
}

// Replaces the one occurrence of `from` in a file of the dump.
DumpFiles with(DumpFiles d, const std::string& file, const std::string& from,
               const std::string& to) {
  std::string& text = d.csv.at(file);
  const auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, from.size(), to);
  return d;
}

DumpFiles appended(DumpFiles d, const std::string& file, const std::string& row) {
  d.csv.at(file) += row;
  return d;
}

}  // namespace

TEST_CASE("a valid dump has no errors and every row", "[sod][validate]") {
  TempDir dir;
  irra::sod::test::write_dump(dir.path(), good_dump());
  const auto result = irra::sod::read_dump(dir.path());
  REQUIRE(result.errors.empty());
  REQUIRE(result.dump.has_value());
  const auto& d = *result.dump;
  CHECK(d.manifest.trading_date == "2024-12-02");
  CHECK(d.clients.size() == 3);
  CHECK(d.clients[1].name == "Rao, Kiran");
  CHECK(d.clients[2].name == "Dinesh \"Dinu\" Iyer");
  CHECK_FALSE(d.clients[1].eligible);
  CHECK(d.instruments[0].tick_size == 5);
  CHECK(d.instruments[0].prev_close == 245050);
  CHECK(d.instruments[1].segment == irra::domain::Segment::fo);
  REQUIRE(d.positions.size() == 4);
  CHECK(d.positions[1].net_qty == -50);
  CHECK(d.positions[1].avg_price == 30025);
  CHECK(d.positions[3].product == irra::domain::Product::mis);
  CHECK(d.funds[1].opening_balance == -120005);
}

TEST_CASE("an unknown instrument is reported with file and line", "[sod][validate]") {
  const auto d = with(good_dump(), "positions.csv", "C000001,NSE:NIFTY24DEC24000CE,NRML",
                      "C000001,NSE:FOO,NRML");
  CHECK(errors_of(d) == Errors{"positions.csv:3: unknown instrument 'NSE:FOO'"});
}

TEST_CASE("an unknown client is reported in every file that refers to it", "[sod][validate]") {
  auto d = with(good_dump(), "funds.csv", "C000003,0,0,0", "C000404,0,0,0");
  d = with(d, "holdings.csv", "C000003,NSE:RELIANCE", "C00000X,NSE:RELIANCE");
  CHECK(errors_of(d) == Errors{"holdings.csv:3: unknown client 'C00000X'",
                               "funds.csv:4: unknown client 'C000404'"});
}

TEST_CASE("a price that is not a number names the column and the text", "[sod][validate]") {
  const auto d = with(good_dump(), "instruments.csv", "RELIANCE,1,0.05,", "RELIANCE,1,0.0x,");
  CHECK(errors_of(d) == Errors{"instruments.csv:2: tick_size: '0.0x' is not a number"});
}

TEST_CASE("prices with more than two decimals are refused", "[sod][validate]") {
  const auto d = with(good_dump(), "positions.csv", "CNC,10,2400.5", "CNC,10,2400.505");
  CHECK(errors_of(d) == Errors{"positions.csv:2: avg_price: '2400.505' has more than 2 decimals"});
}

TEST_CASE("quantities must be whole numbers in range", "[sod][validate]") {
  auto d = with(good_dump(), "positions.csv", "CNC,10,", "CNC,1.5,");
  d = with(d, "holdings.csv", "C000003,NSE:RELIANCE,3,",
           "C000003,NSE:RELIANCE,99999999999999999999,");
  d = with(d, "instruments.csv", "NSE,EQ,RELIANCE,1,", "NSE,EQ,RELIANCE, 1,");
  CHECK(errors_of(d) == Errors{"instruments.csv:2: lot_size: ' 1' is not a number",
                               "positions.csv:2: net_qty: '1.5' is not a whole number",
                               "holdings.csv:3: qty: '99999999999999999999' is out of range"});
}

TEST_CASE("a duplicate ucc names the line of the first", "[sod][validate]") {
  const auto d =
      appended(good_dump(), "clients.csv", "C000001,DDDDD4444D,Someone Else,9000000004,,Y\n");
  CHECK(errors_of(d) == Errors{"clients.csv:5: duplicate ucc 'C000001' (first at line 2)"});
}

TEST_CASE("duplicate keys are refused in every table", "[sod][validate]") {
  auto d = appended(good_dump(), "clients.csv", "C000004,ABCDE1234F,Same Pan,,,N\n");
  d = appended(d, "instruments.csv",
               "NSE:RELIANCE,NSE,EQ,RELIANCE,1,0.05,100000,2205.45,2695.55,2450.50\n");
  d = appended(d, "positions.csv", "C000001,NSE:RELIANCE,CNC,1,1\n");
  d = appended(d, "holdings.csv", "C000001,NSE:RELIANCE,1,1\n");
  d = appended(d, "funds.csv", "C000002,1,1,1\n");
  CHECK(errors_of(d) ==
        Errors{"clients.csv:5: duplicate pan 'ABCDE1234F' (first at line 2)",
               "instruments.csv:5: duplicate instrument_id 'NSE:RELIANCE' (first at line 2)",
               "positions.csv:6: duplicate position 'C000001,NSE:RELIANCE,CNC' (first at line 2)",
               "holdings.csv:4: duplicate holding 'C000001,NSE:RELIANCE' (first at line 2)",
               "funds.csv:5: duplicate ucc 'C000002' (first at line 3)"});
}

TEST_CASE("the same instrument under another product is not a duplicate", "[sod][validate]") {
  const auto d = appended(good_dump(), "positions.csv", "C000002,NSE:RELIANCE,MTF,4,2400\n");
  CHECK(errors_of(d).empty());
}

TEST_CASE("enumerations accept only the contract's spellings", "[sod][validate]") {
  auto d = with(good_dump(), "clients.csv", "asha@example.com,Y", "asha@example.com,yes");
  d = with(d, "instruments.csv", "MCX,COM,", "MCX,MCX,");
  d = with(d, "positions.csv", "NSE:RELIANCE,MIS", "NSE:RELIANCE,mis");
  CHECK(errors_of(d) ==
        Errors{"clients.csv:2: eligible: 'yes' must be Y or N",
               "instruments.csv:4: segment: 'MCX' must be one of EQ, FO, CD, COM",
               "positions.csv:5: product: 'mis' must be one of MIS, NRML, CNC, MTF"});
}

TEST_CASE("instrument facts are checked", "[sod][validate]") {
  auto d = with(good_dump(), "instruments.csv", "NSE:RELIANCE,NSE,EQ,RELIANCE,1,0.05,100000",
                "NSE:RELIANC,NSE,EQ,RELIANCE,1,0,-1");
  d = with(d, "instruments.csv", "25,0.05,1800,0.05,950,", "0,0.05,1800,951,950,");
  d = with(d, "positions.csv", "C000001,NSE:RELIANCE,CNC", "C000001,NSE:RELIANC,CNC");
  d = with(d, "positions.csv", "C000001,NSE:RELIANCE,MIS", "C000001,NSE:RELIANC,MIS");
  d = with(d, "holdings.csv", "C000001,NSE:RELIANCE", "C000001,NSE:RELIANC");
  d = with(d, "holdings.csv", "C000003,NSE:RELIANCE", "C000003,NSE:RELIANC");
  CHECK(errors_of(d) ==
        Errors{"instruments.csv:2: instrument_id: 'NSE:RELIANC' is not exchange:symbol "
               "'NSE:RELIANCE'",
               "instruments.csv:2: tick_size: '0' is not positive",
               "instruments.csv:2: freeze_qty: '-1' is not positive",
               "instruments.csv:3: lot_size: '0' is not positive",
               "instruments.csv:3: lower_band 951 is above upper_band 950"});
}

TEST_CASE("derivative positions must be whole lots", "[sod][validate]") {
  auto d = with(good_dump(), "positions.csv", "NRML,-50,", "NRML,-40,");
  // Equity has lot size 1 but is never checked for lots anyway; CRUDEOIL lot is 100.
  d = with(d, "positions.csv", "NRML,200,", "NRML,250,");
  CHECK(errors_of(d) ==
        Errors{"positions.csv:3: net_qty -40 is not a whole number of lots (lot size 25)",
               "positions.csv:4: net_qty 250 is not a whole number of lots (lot size 100)"});
}

TEST_CASE("client fields are checked", "[sod][validate]") {
  auto d =
      with(good_dump(), "clients.csv", "C000001,ABCDE1234F,Asha Rao,9876543210,asha@example.com",
           "C 1,ABCDE12345,,98765,asha.example.com");
  d = with(d, "clients.csv", "C000003,CDEFG3456H,\"Dinesh \"\"Dinu\"\" Iyer\"",
           "C000003,CDEFG3456H,\"Bad \xC3\x28 byte\"");
  d = with(d, "positions.csv", "C000001,NSE:RELIANCE,CNC", "C000002,NSE:RELIANCE,CNC");
  d = with(d, "positions.csv", "C000001,NSE:NIFTY", "C000002,NSE:NIFTY");
  d = with(d, "positions.csv", "C000001,NSE:RELIANCE,MIS", "C000002,NSE:RELIANCE,MIS");
  d = with(d, "holdings.csv", "C000001,", "C000002,");
  d = with(d, "funds.csv", "C000001,", "C 1,");
  CHECK(errors_of(d) ==
        Errors{"clients.csv:2: ucc: 'C 1' is not a valid UCC (1-32 of A-Z a-z 0-9 -_.&)",
               "clients.csv:2: pan: 'ABCDE12345' is not a valid PAN", "clients.csv:2: name: empty",
               "clients.csv:2: mobile: '98765' is not a mobile number",
               "clients.csv:2: email: 'asha.example.com' is not an email address",
               "clients.csv:4: name: not valid UTF-8"});
}

TEST_CASE("negative holdings, margin and collateral are refused", "[sod][validate]") {
  auto d = with(good_dump(), "holdings.csv", "C000003,NSE:RELIANCE,3,", "C000003,NSE:RELIANCE,-3,");
  d = with(d, "funds.csv", "C000003,0,0,0", "C000003,-5,-0.01,-2");
  CHECK(errors_of(d) == Errors{"holdings.csv:3: qty: '-3' is negative",
                               "funds.csv:4: margin_used: '-0.01' is negative",
                               "funds.csv:4: collateral: '-2' is negative"});
}

TEST_CASE("a header that differs from the contract is refused", "[sod][validate]") {
  const auto d = with(good_dump(), "positions.csv", "ucc,instrument_id,product,net_qty,avg_price",
                      "ucc,instrument_id,net_qty,product,avg_price");
  CHECK(errors_of(d) == Errors{"positions.csv:1: header must be "
                               "'ucc,instrument_id,product,net_qty,avg_price', found "
                               "'ucc,instrument_id,net_qty,product,avg_price'"});
}

TEST_CASE("a row with the wrong column count is refused", "[sod][validate]") {
  auto d = with(good_dump(), "positions.csv", "C000001,NSE:RELIANCE,CNC,10,2400.5",
                "C000001,NSE:RELIANCE,CNC,10");
  d = with(d, "funds.csv", "C000003,0,0,0\n", "C000003,0,0,0\n\n");
  CHECK(errors_of(d) ==
        Errors{"positions.csv:2: expected 5 columns, found 4", "funds.csv:5: empty line"});
}

TEST_CASE("a row count that differs from the manifest is refused", "[sod][validate]") {
  auto d = good_dump();
  d.rows_override["positions.csv"] = 5;
  CHECK(errors_of(d) == Errors{"positions.csv: manifest says 5 rows, file has 4"});
}

TEST_CASE("a checksum that differs from the manifest is refused", "[sod][validate]") {
  auto d = good_dump();
  const std::string wrong(64, 'a');
  d.sha_override["clients.csv"] = wrong;
  const std::string real = irra::sod::test::sha256_hex(d.csv.at("clients.csv"));
  CHECK(errors_of(d) ==
        Errors{"clients.csv: checksum mismatch: manifest says " + wrong + ", file is " + real});
}

TEST_CASE("a CSV syntax error is reported with its line", "[sod][validate]") {
  const auto d = with(good_dump(), "holdings.csv", "C000003,NSE:RELIANCE,3,2000\n",
                      "C000003,NSE:RELIANCE,3,\"2000\n");
  CHECK(errors_of(d) ==
        Errors{"holdings.csv:3: unterminated quoted field (the quote opens on line 3)"});
}

TEST_CASE("a missing file is reported", "[sod][validate]") {
  TempDir dir;
  irra::sod::test::write_dump(dir.path(), good_dump());
  std::filesystem::remove(dir.path() / "holdings.csv");
  CHECK(irra::sod::validate_dump(dir.path()).errors ==
        Errors{"holdings.csv: cannot open: No such file or directory"});
}

TEST_CASE("a manifest without an entry for a file is refused", "[sod][validate]") {
  TempDir dir;
  irra::sod::test::write_dump(dir.path(), good_dump());
  std::ofstream(dir.path() / "manifest.json")
      << R"({"trading_date": "2024-02-30", "generated_at": "2024-12-01T18:30:00Z",
             "files": {"clients.csv": {"rows": 3, "sha256": "x"}}})";
  const auto errors = irra::sod::validate_dump(dir.path()).errors;
  CHECK(errors == Errors{
                      "manifest.json: trading_date: '2024-02-30' is not a date (YYYY-MM-DD)",
                      "manifest.json: files.clients.csv: sha256: missing or not 64 hex digits",
                      "manifest.json: files: missing 'instruments.csv'",
                      "manifest.json: files: missing 'positions.csv'",
                      "manifest.json: files: missing 'holdings.csv'",
                      "manifest.json: files: missing 'funds.csv'",
                  });
}

TEST_CASE("every error is listed up to 1000, then a count of the rest", "[sod][validate]") {
  DumpFiles d = good_dump();
  for (int i = 0; i < 1500; ++i) {
    d.csv.at("positions.csv") += "C000001,NSE:NOPE" + std::to_string(i) + ",CNC,1,1\n";
  }
  const auto errors = errors_of(d);
  REQUIRE(errors.size() == 1001);
  CHECK(errors.front() == "positions.csv:6: unknown instrument 'NSE:NOPE0'");
  CHECK(errors[999] == "positions.csv:1005: unknown instrument 'NSE:NOPE999'");
  CHECK(errors.back() == "... and 500 more errors");
}

TEST_CASE("a dump with a BOM and CRLF line ends is valid", "[sod][validate]") {
  DumpFiles d = good_dump();
  for (auto& [name, text] : d.csv) {
    std::string crlf = "\xEF\xBB\xBF";
    for (const char c : text) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    text = crlf;
  }
  TempDir dir;
  irra::sod::test::write_dump(dir.path(), d);
  const auto result = irra::sod::read_dump(dir.path());
  REQUIRE(result.errors.empty());
  CHECK(result.dump->clients[0].ucc == "C000001");
  CHECK(result.dump->funds[2].collateral == 0);
  CHECK(result.dump->clients[2].email.empty());
}
