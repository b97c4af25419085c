#include <catch2/catch.hpp>

#include "irra/config/config.hpp"

using boost::asio::ip::make_address;
using irra::config::AdminConfig;
using irra::config::Cidr;

TEST_CASE("an IPv4 network contains exactly its addresses") {
  const auto net = Cidr::parse("172.16.0.0/12");
  REQUIRE(net);
  CHECK(net->contains(make_address("172.16.0.0")));
  CHECK(net->contains(make_address("172.31.255.255")));
  CHECK_FALSE(net->contains(make_address("172.32.0.0")));
  CHECK_FALSE(net->contains(make_address("172.15.255.255")));
}

TEST_CASE("an IPv6 network contains exactly its addresses") {
  const auto net = Cidr::parse("fd00:1234::/33");
  REQUIRE(net);
  CHECK(net->contains(make_address("fd00:1234:7fff::1")));
  CHECK_FALSE(net->contains(make_address("fd00:1234:8000::1")));
  CHECK_FALSE(net->contains(make_address("10.0.0.1")));
}

TEST_CASE("an IPv4-mapped IPv6 client is matched against IPv4 networks") {
  const auto net = Cidr::parse("10.0.0.0/8");
  REQUIRE(net);
  CHECK(net->contains(make_address("::ffff:10.1.2.3")));
  CHECK_FALSE(net->contains(make_address("::ffff:11.1.2.3")));
  // But an IPv4 network never matches a genuine IPv6 address.
  CHECK_FALSE(net->contains(make_address("a00:1::")));
}

TEST_CASE("a bare address is a single-host network and /0 matches its whole family") {
  const auto host = Cidr::parse("192.168.1.10");
  REQUIRE(host);
  CHECK(host->to_string() == "192.168.1.10/32");
  CHECK(host->contains(make_address("192.168.1.10")));
  CHECK_FALSE(host->contains(make_address("192.168.1.11")));
  const auto all_v4 = Cidr::parse("0.0.0.0/0");
  REQUIRE(all_v4);
  CHECK(all_v4->contains(make_address("8.8.8.8")));
  CHECK_FALSE(all_v4->contains(make_address("2001:db8::1")));
}

TEST_CASE("malformed CIDRs are refused with a reason") {
  std::string why;
  CHECK_FALSE(Cidr::parse("10.0.0.0/8x", &why));
  CHECK(why == "prefix length must be an integer from 0 to 32");
  CHECK_FALSE(Cidr::parse("10.0.0.0/-1", &why));
  CHECK_FALSE(Cidr::parse("fe80::1%eth0/128", &why));
  CHECK(why == "'fe80::1%eth0' is not an IPv4 or IPv6 address");
  CHECK_FALSE(Cidr::parse("", &why));
  CHECK_FALSE(Cidr::parse("::1/127", &why));
  CHECK(why == "host bits are set (did you mean \"::/127\"?)");
}

TEST_CASE("the default allow_from admits loopback and private ranges only") {
  const AdminConfig admin;
  CHECK(admin.allows(make_address("127.0.0.1")));
  CHECK(admin.allows(make_address("::1")));
  CHECK(admin.allows(make_address("10.200.3.4")));
  CHECK(admin.allows(make_address("172.20.0.1")));
  CHECK(admin.allows(make_address("192.168.100.1")));
  CHECK(admin.allows(make_address("::ffff:192.168.0.9")));
  CHECK_FALSE(admin.allows(make_address("8.8.8.8")));
  CHECK_FALSE(admin.allows(make_address("172.32.0.1")));
  CHECK_FALSE(admin.allows(make_address("2001:db8::1")));
  CHECK_FALSE(admin.allows(make_address("::2")));
}

TEST_CASE("an empty allow_from admits no one") {
  AdminConfig admin;
  admin.allow_from.clear();
  CHECK_FALSE(admin.allows(make_address("127.0.0.1")));
}
