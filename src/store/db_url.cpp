// Parsing of the configuration's database URL into a SOCI connection string.
#include <charconv>
#include <string>
#include <string_view>

#include "irra/store/database.hpp"

namespace irra::store {
namespace {

constexpr std::size_t max_url_length = 4096;
constexpr int default_mysql_port = 3306;

[[noreturn]] void bad(const std::string& what) {
  throw BadDbUrl("bad database URL: " + what);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding; `part` names the URL component in the error.
std::string percent_decode(std::string_view s, const char* part) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0) {
      bad(std::string("invalid percent-encoding in the ") + part);
    }
    const int hi = hex_value(s[i + 1]);
    const int lo = hex_value(s[i + 2]);
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') bad(std::string("NUL byte in the ") + part);
    out += c;
    i += 2;
  }
  return out;
}

bool has_control_char(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// A value for SOCI's MySQL connection string: single-quoted, backslash escapes.
std::string mysql_quote(std::string_view v) {
  std::string out = "'";
  for (const char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

// SOCI's SQLite parser splits on spaces and '=' unless the value is double-quoted and
// cannot escape a double quote, so such paths are refused at parse time.
std::string sqlite_quote(std::string_view path) {
  if (path.find_first_of(" =\t") == std::string_view::npos) return std::string(path);
  return "\"" + std::string(path) + "\"";
}

DbUrl parse_sqlite(std::string_view rest) {
  if (rest.empty()) bad("sqlite3:// needs a file path, e.g. sqlite3://var/irra.db");
  if (has_control_char(rest) || rest.find('"') != std::string_view::npos) {
    bad("the sqlite3 path contains a control character or a double quote");
  }
  if (rest.find('?') != std::string_view::npos) bad("sqlite3 URLs take no ?parameters");
  DbUrl u;
  u.backend = Backend::sqlite3;
  u.soci_backend = "sqlite3";
  u.path = std::string(rest);
  u.soci_connect = "db=" + sqlite_quote(rest);
  u.redacted = "sqlite3://" + u.path;
  return u;
}

int parse_port(std::string_view s) {
  int port = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || port < 1 || port > 65535) {
    bad("mysql port must be a number from 1 to 65535");
  }
  return port;
}

bool valid_db_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '$' || c == '-';
    if (!ok) return false;
  }
  return true;
}

DbUrl parse_mysql(std::string_view rest) {
  const std::size_t at = rest.rfind('@');
  if (at == std::string_view::npos) bad("mysql URL needs user@host, e.g. mysql://u:p@host/db");
  const std::string_view userinfo = rest.substr(0, at);
  const std::string_view after = rest.substr(at + 1);
  const std::size_t slash = after.find('/');
  if (slash == std::string_view::npos) bad("mysql URL needs a /dbname after the host");
  const std::string_view hostport = after.substr(0, slash);
  const std::string_view db = after.substr(slash + 1);
  if (db.find('?') != std::string_view::npos) bad("mysql URLs take no ?parameters");

  DbUrl u;
  u.backend = Backend::mysql;
  u.soci_backend = "mysql";

  const std::size_t colon = userinfo.find(':');
  const std::string_view raw_user = userinfo.substr(0, colon);
  u.user = percent_decode(raw_user, "user");
  if (u.user.empty()) bad("mysql URL has an empty user name");
  std::string password;
  const bool has_password = colon != std::string_view::npos;
  if (has_password) password = percent_decode(userinfo.substr(colon + 1), "password");

  std::string_view port_text;
  if (!hostport.empty() && hostport.front() == '[') {  // [IPv6]:port
    const std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) bad("mysql host has an unclosed '['");
    u.host = std::string(hostport.substr(1, close - 1));
    const std::string_view tail = hostport.substr(close + 1);
    if (!tail.empty()) {
      if (tail.front() != ':') bad("unexpected text after the IPv6 host");
      port_text = tail.substr(1);
      if (port_text.empty()) bad("mysql port must be a number from 1 to 65535");
    }
  } else {
    const std::size_t pc = hostport.rfind(':');
    u.host = std::string(hostport.substr(0, pc));
    if (pc != std::string_view::npos) {
      port_text = hostport.substr(pc + 1);
      if (port_text.empty()) bad("mysql port must be a number from 1 to 65535");
    }
  }
  if (u.host.empty()) bad("mysql URL has an empty host");
  if (has_control_char(u.host) || u.host.find_first_of(" '\\/@") != std::string::npos) {
    bad("mysql host contains an invalid character");
  }
  u.port = port_text.empty() ? default_mysql_port : parse_port(port_text);
  u.database = percent_decode(db, "database name");
  if (!valid_db_name(u.database)) {
    bad("mysql database name must be 1-64 letters, digits, '_', '$' or '-'");
  }

  u.soci_connect = "db=" + mysql_quote(u.database) + " user=" + mysql_quote(u.user);
  if (has_password) u.soci_connect += " password=" + mysql_quote(password);
  u.soci_connect += " host=" + mysql_quote(u.host) + " port=" + std::to_string(u.port) +
                    " charset=utf8mb4 connect_timeout=10 read_timeout=30 write_timeout=30";

  const std::string shown_host =
      u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  u.redacted = "mysql://" + std::string(raw_user) + (has_password ? ":***" : "") + "@" +
               shown_host + ":" + std::to_string(u.port) + "/" + u.database;
  return u;
}

}  // namespace

DbUrl DbUrl::parse(std::string_view url) {
  if (url.size() > max_url_length) bad("longer than 4096 characters");
  if (has_control_char(url)) bad("contains a control character");
  constexpr std::string_view sqlite_scheme = "sqlite3://";
  constexpr std::string_view mysql_scheme = "mysql://";
  if (url.starts_with(sqlite_scheme)) return parse_sqlite(url.substr(sqlite_scheme.size()));
  if (url.starts_with(mysql_scheme)) return parse_mysql(url.substr(mysql_scheme.size()));
  const std::size_t sep = url.find("://");
  if (sep == std::string_view::npos)
    bad("expected sqlite3://PATH or mysql://user:password@host/db");
  bad("unsupported scheme '" + std::string(url.substr(0, sep)) +
      "' (expected sqlite3:// or mysql://)");
}

}  // namespace irra::store
