// Start-up: rebuilds the in-memory mirror (instruments, clients, carried-forward
// positions) from the database. Runs on the main thread before the reactor starts.
#pragma once

#include <cstdint>
#include <string>

namespace soci {
class session;
}
namespace irra::domain {
class Book;
}

namespace irra::app {

struct LoadedCounts {
  std::string trading_date;  // of the latest start-of-day import; "" when none
  std::int64_t instruments = 0;
  std::int64_t clients = 0;
  std::int64_t positions = 0;
};

// Throws std::runtime_error when a stored row cannot be represented (a corrupt database).
LoadedCounts load_start_of_day(soci::session& sql, domain::Book& book);

}  // namespace irra::app
