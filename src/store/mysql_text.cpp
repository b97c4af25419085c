#include "irra/store/mysql_text.hpp"

#include <mysql.h>
#include <soci/soci.h>

namespace irra::store {

void mysql_append_quoted(st_mysql* conn, std::string& out, std::string_view text,
                         std::string& scratch) {
  scratch.resize(text.size() * 2 + 1);
  const auto n = mysql_real_escape_string(conn, scratch.data(), text.data(),
                                          static_cast<unsigned long>(text.size()));
  out += '\'';
  out.append(scratch.data(), n);
  out += '\'';
}

void mysql_execute(st_mysql* conn, const std::string& query, std::string_view what) {
  if (mysql_real_query(conn, query.data(), static_cast<unsigned long>(query.size())) != 0) {
    throw soci::soci_error(std::string(what) + ": " + mysql_error(conn));
  }
}

}  // namespace irra::store
