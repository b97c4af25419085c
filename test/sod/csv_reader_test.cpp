#include "irra/sod/csv_reader.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dump_fixture.hpp"

using irra::sod::ByteSource;
using irra::sod::CsvLimits;
using irra::sod::CsvReader;

namespace {

struct Parsed {
  std::vector<std::vector<std::string>> records;
  std::vector<std::uint64_t> lines;
  CsvReader::Status last = CsvReader::Status::end;
  std::string error;
  std::uint64_t error_line = 0;
  std::string sha;
};

Parsed parse(const std::string& text, CsvLimits limits = {}) {
  CsvReader reader(ByteSource::from_memory(text), limits);
  Parsed out;
  while ((out.last = reader.next()) == CsvReader::Status::record) {
    out.records.emplace_back(reader.fields().begin(), reader.fields().end());
    out.lines.push_back(reader.line());
  }
  out.error = reader.error();
  out.error_line = reader.error_line();
  out.sha = reader.finish_sha256();
  return out;
}

using Records = std::vector<std::vector<std::string>>;

}  // namespace

TEST_CASE("plain records are split on commas and line feeds", "[csv]") {
  const auto p = parse("a,b,c\n1,,3\n");
  CHECK(p.last == CsvReader::Status::end);
  CHECK(p.records == Records{{"a", "b", "c"}, {"1", "", "3"}});
  CHECK(p.lines == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("quoted fields keep commas, doubled quotes and line breaks", "[csv]") {
  const auto p = parse("name,x\n\"Rao, Kiran\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\nlast,1\n");
  REQUIRE(p.last == CsvReader::Status::end);
  CHECK(p.records ==
        Records{{"name", "x"}, {"Rao, Kiran", "say \"hi\""}, {"two\nlines", "z"}, {"last", "1"}});
  // The record after the embedded line break starts on physical line 5.
  CHECK(p.lines == std::vector<std::uint64_t>{1, 2, 3, 5});
}

TEST_CASE("CRLF line ends are accepted and not part of the last field", "[csv]") {
  const auto p = parse("a,b\r\n1,2\r\n\"q\r\nx\",3\r\n");
  REQUIRE(p.last == CsvReader::Status::end);
  CHECK(p.records == Records{{"a", "b"}, {"1", "2"}, {"q\r\nx", "3"}});
  CHECK(p.lines == std::vector<std::uint64_t>{1, 2, 3});
}

TEST_CASE("a UTF-8 BOM at the start is skipped but hashed", "[csv]") {
  const std::string text = "\xEF\xBB\xBFucc,name\nC1,\xE0\xA4\x85\n";
  const auto p = parse(text);
  CHECK(p.records == Records{{"ucc", "name"}, {"C1", "\xE0\xA4\x85"}});
  CHECK(p.sha == irra::sod::test::sha256_hex(text));
}

TEST_CASE("a BOM later in the file is data", "[csv]") {
  const auto p = parse(
      "a\n\xEF\xBB\xBF"
      "b\n");
  CHECK(p.records == Records{{"a"},
                             {"\xEF\xBB\xBF"
                              "b"}});
}

TEST_CASE("the last record may lack a final line break", "[csv]") {
  CHECK(parse("a,b\n1,2").records == Records{{"a", "b"}, {"1", "2"}});
  CHECK(parse("a,\"b\"").records == Records{{"a", "b"}});
  CHECK(parse("a,").records == Records{{"a", ""}});
  CHECK(parse("").records.empty());
}

TEST_CASE("an empty line is a record of one empty field", "[csv]") {
  const auto p = parse("a\n\nb\n");
  CHECK(p.records == Records{{"a"}, {""}, {"b"}});
  CHECK(p.lines == std::vector<std::uint64_t>{1, 2, 3});
}

TEST_CASE("an unterminated quote is an error naming the line it opens on", "[csv]") {
  const auto p = parse("a,b\n1,\"open\nstill open\n");
  CHECK(p.last == CsvReader::Status::error);
  CHECK(p.records.size() == 1);
  CHECK(p.error == "unterminated quoted field (the quote opens on line 2)");
  CHECK(p.error_line == 2);
}

TEST_CASE("a quote inside an unquoted field is a stray quote", "[csv]") {
  const auto p = parse("a,b\n1,ab\"c\n");
  CHECK(p.last == CsvReader::Status::error);
  CHECK(p.error == "stray quote in unquoted field 2");
  CHECK(p.error_line == 2);
}

TEST_CASE("text after a closing quote is a stray quote", "[csv]") {
  const auto p = parse("x\n\"ab\"c,d\n");
  CHECK(p.last == CsvReader::Status::error);
  CHECK(p.error ==
        "stray quote in field 1: a closing quote must be followed by a comma or line end");
  CHECK(p.error_line == 2);
}

TEST_CASE("a bare carriage return is refused", "[csv]") {
  const auto p = parse("a\rb\n");
  CHECK(p.last == CsvReader::Status::error);
  CHECK(p.error == "carriage return not followed by a line feed");
}

TEST_CASE("errors are sticky", "[csv]") {
  CsvReader reader(ByteSource::from_memory("a\"\nb\n"));
  CHECK(reader.next() == CsvReader::Status::error);
  CHECK(reader.next() == CsvReader::Status::error);
}

TEST_CASE("fields, records and field counts are bounded", "[csv]") {
  CsvLimits limits;
  limits.max_field_bytes = 8;
  limits.max_record_bytes = 20;
  limits.max_fields = 4;
  CHECK(parse("12345678,x\n", limits).last == CsvReader::Status::end);
  auto p = parse("ok\n123456789,x\n", limits);
  CHECK(p.last == CsvReader::Status::error);
  CHECK(p.error == "field 1 is longer than 8 bytes");
  CHECK(p.error_line == 2);
  p = parse("\"12345\"\"678\"\n", limits);  // the unescaped value counts: 9 bytes
  CHECK(p.error == "field 1 is longer than 8 bytes");
  p = parse("1234567,1234567,1234567\n", limits);
  CHECK(p.error == "record is longer than 20 bytes");
  p = parse("a,b,c,d,e\n", limits);
  CHECK(p.error == "record has more than 4 fields");
  // A quoted field that never closes is stopped by the bound, not by the end of memory.
  p = parse("\"" + std::string(1000, 'x'), limits);
  CHECK(p.error == "field 1 is longer than 8 bytes");
}

TEST_CASE("records split across read chunks parse the same as in one chunk", "[csv]") {
  const std::string text =
      "\xEF\xBB\xBFucc,name,n\r\nC1,\"Rao, \"\"K\"\"\nx\",12\r\nC2,plain,-3\nC3,\"\",4";
  const auto whole = parse(text);
  REQUIRE(whole.last == CsvReader::Status::end);
  for (std::size_t chunk = 4; chunk <= 13; ++chunk) {
    CsvLimits limits;
    limits.chunk_bytes = chunk;
    const auto p = parse(text, limits);
    INFO("chunk " << chunk);
    CHECK(p.records == whole.records);
    CHECK(p.lines == whole.lines);
    CHECK(p.sha == whole.sha);
  }
  CHECK(whole.records.size() == 4);
}

TEST_CASE("the checksum covers the whole file even after a syntax error", "[csv]") {
  const std::string text = "a\n\"bad\"x\n" + std::string(5000, 'z') + "\n";
  CsvLimits limits;
  limits.chunk_bytes = 64;
  const auto p = parse(text, limits);
  CHECK(p.last == CsvReader::Status::error);
  CHECK(p.sha == irra::sod::test::sha256_hex(text));
}

TEST_CASE("a file that does not exist cannot be opened", "[csv]") {
  std::string error;
  CHECK(ByteSource::open_file("/nonexistent/irra/x.csv", error) == nullptr);
  CHECK(error == "No such file or directory");
}
