#include "irra/fix/parser.hpp"

#include <catch2/catch.hpp>

#include "fix_test_util.hpp"

using namespace irra::fix;
using irra::fix::test::make_fix;
using irra::fix::test::soh_from_pipes;

namespace {
const std::string heartbeat = make_fix("35=0|49=EXCH|56=IRRA|34=2|52=20240315-09:15:30.000|");
}

TEST_CASE("a complete message is framed with the bytes it occupies") {
  const std::string two = heartbeat + heartbeat;
  const auto r = frame(two);
  REQUIRE(r.status == frame_status::complete);
  CHECK(r.consumed == heartbeat.size());
  CHECK(r.message == heartbeat);
  const auto second = frame(std::string_view(two).substr(r.consumed));
  CHECK(second.status == frame_status::complete);
}

TEST_CASE("every proper prefix of a message needs more bytes") {
  for (std::size_t n = 0; n < heartbeat.size(); ++n) {
    INFO("prefix length " << n);
    CHECK(frame(std::string_view(heartbeat).substr(0, n)).status == frame_status::need_more);
  }
}

TEST_CASE("a wrong checksum makes the message garbage to skip whole") {
  std::string bad = heartbeat;
  bad[bad.size() - 2] = bad[bad.size() - 2] == '0' ? '1' : '0';
  const std::string buf = bad + heartbeat;
  const auto r = frame(buf);
  REQUIRE(r.status == frame_status::garbage);
  CHECK(r.reason == garbage_reason::bad_checksum);
  CHECK(r.consumed == bad.size());
  CHECK(frame(std::string_view(buf).substr(r.consumed)).status == frame_status::complete);
}

TEST_CASE("a BodyLength that does not end at the trailer is garbage") {
  // Body one byte longer than declared: the trailer is not where 9= says.
  std::string m = heartbeat;
  const auto pos = m.find("9=") + 2;
  m[pos + 1] = static_cast<char>(m[pos + 1] - 1);
  const auto r = frame(m + heartbeat);
  REQUIRE(r.status == frame_status::garbage);
  CHECK(r.reason == garbage_reason::bad_trailer);
  CHECK(r.consumed == m.size());
}

TEST_CASE("a BodyLength that is not digits or too large is garbage") {
  CHECK(frame(soh_from_pipes("8=FIX.4.4|9=1x|35=0|")).reason == garbage_reason::bad_body_length);
  CHECK(frame(soh_from_pipes("8=FIX.4.4|9=|35=0|")).reason == garbage_reason::bad_body_length);
  CHECK(frame(soh_from_pipes("8=FIX.4.4|9=999999|35=0|")).reason ==
        garbage_reason::bad_body_length);
  CHECK(frame(soh_from_pipes("8=FIX.4.4|9=65536|35=0|")).reason == garbage_reason::bad_body_length);
  CHECK(frame(soh_from_pipes("8=FIX.4.4|10=000|")).reason == garbage_reason::bad_body_length);
}

TEST_CASE("bytes before a message are skipped up to the next 8=FIX") {
  const std::string buf = "junk\r\n" + heartbeat;
  const auto r = frame(buf);
  REQUIRE(r.status == frame_status::garbage);
  CHECK(r.reason == garbage_reason::bad_begin_string);
  CHECK(r.consumed == 6);
  CHECK(frame(std::string_view(buf).substr(6)).status == frame_status::complete);
}

TEST_CASE("garbage whose tail could start a message keeps that tail") {
  const auto r = frame("xyz8=FI");
  REQUIRE(r.status == frame_status::garbage);
  CHECK(r.consumed == 3);
  CHECK(frame("8=FI").status == frame_status::need_more);
}

TEST_CASE("another FIX version is garbage") {
  const std::string v42 = "8=FIX.4.2" + heartbeat.substr(9);
  const auto r = frame(v42);
  REQUIRE(r.status == frame_status::garbage);
  CHECK(r.reason == garbage_reason::bad_begin_string);
  CHECK(r.consumed == v42.size());
}

TEST_CASE("a message whose trailer lost its SOH is garbage") {
  std::string m = heartbeat;
  m.back() = 'x';
  const auto r = frame(m);
  CHECK(r.status == frame_status::garbage);
  CHECK(r.reason == garbage_reason::bad_trailer);
}

TEST_CASE("a truncated message followed by a complete one loses only the truncated one") {
  const std::string truncated = heartbeat.substr(0, heartbeat.size() - 12);
  std::string buf = truncated + heartbeat + heartbeat;
  std::size_t complete = 0;
  std::string_view rest = buf;
  while (!rest.empty()) {
    const auto r = frame(rest);
    if (r.status == frame_status::need_more) break;
    if (r.status == frame_status::complete) ++complete;
    rest.remove_prefix(r.consumed);
  }
  CHECK(complete == 2);  // resync restarts at the first "8=FIX" after the broken start
  CHECK(rest.empty());
}

TEST_CASE("checksum is the byte sum modulo 256") {
  CHECK(checksum("") == 0);
  CHECK(checksum("\xff\x02") == 1);
  CHECK(checksum("A") == 65);
}

TEST_CASE("checksum agrees with a byte-by-byte sum at every length and alignment") {
  std::string bytes;
  for (int i = 0; i < 3000; ++i) bytes.push_back(static_cast<char>((i * 131 + 7) & 0xFF));
  for (std::size_t start = 0; start < 9; ++start) {
    for (std::size_t len = 0; start + len <= bytes.size(); len += 37) {
      unsigned sum = 0;
      for (std::size_t i = start; i < start + len; ++i) sum += static_cast<unsigned char>(bytes[i]);
      REQUIRE(checksum(std::string_view(bytes).substr(start, len)) == sum % 256);
    }
  }
  const std::string all_ff(70000, '\xff');
  CHECK(checksum(all_ff) == (70000u * 255u) % 256);
}
