// Multi-row INSERT text for MySQL/MariaDB sessions where SOCI's bulk binding does not fit:
// values quoted by the client library (for the connection's character set) and the
// statement run on the native handle.
//
// Thread rule: the caller's connection, on the caller's (writer) thread.
#pragma once

#include <string>
#include <string_view>

struct st_mysql;  // MYSQL of <mysql.h>

namespace irra::store {

// Appends `text` as a quoted SQL string literal; `scratch` is reused between calls.
void mysql_append_quoted(st_mysql* conn, std::string& out, std::string_view text,
                         std::string& scratch);

// Runs `query`; throws soci::soci_error("<what>: <server message>") when it fails, so that
// the writer rolls the batch back and runs it again.
void mysql_execute(st_mysql* conn, const std::string& query, std::string_view what);

}  // namespace irra::store
